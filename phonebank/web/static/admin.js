// The organizer dashboard: login, campaign controls, live figures and chart, adding people.
const $ = (id) => document.getElementById(id);

function csrf() {
  const pair = document.cookie.split("; ").find((item) => item.startsWith("pb_csrf="));
  return pair ? decodeURIComponent(pair.slice(8)) : "";
}

async function api(method, path, body) {
  const headers = { Accept: "application/json", "X-CSRF-Token": csrf() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error((data && data.detail) || `request failed (${response.status})`);
  return data;
}

// An error stays beside the page's actions until dismissed; a lost connection says so.
function fail(error) {
  const box = $("error");
  if (!box) return;
  const text = error instanceof TypeError ? "The server could not be reached: check the connection and try again."
    : error.message || String(error);
  const message = box.querySelector(".message");
  if (message) message.textContent = text;
  else box.textContent = text;
  box.hidden = false;
}

const dismiss = document.querySelector("#error .dismiss");
if (dismiss) dismiss.addEventListener("click", () => ($("error").hidden = true));

function guarded(action) {
  return async (event) => {
    event.preventDefault();
    try {
      await action(event);
    } catch (error) {
      fail(error);
    }
  };
}

const login = $("admin-login");
if (login) {
  login.addEventListener("submit", guarded(async (event) => {
    const form = new FormData(event.target);
    await api("POST", "/api/v1/caller/login", { email: form.get("email"), password: form.get("password") });
    window.location.reload();
  }));
}

const logout = $("logout");
if (logout) {
  logout.addEventListener("click", guarded(async () => {
    await api("POST", "/api/v1/caller/logout");
    window.location.href = "/admin";
  }));
}

// ---------------------------------------------------------------- one campaign

const root = $("campaign");
if (root) {
  const campaignId = root.dataset.campaign;
  const history = [];

  for (const button of document.querySelectorAll("[data-action]")) {
    button.addEventListener("click", guarded(async () => {
      const campaign = await api("POST", `/api/v1/campaigns/${campaignId}/${button.dataset.action}`);
      $("status").textContent = campaign.status;
      $("status").dataset.state = campaign.status;
    }));
  }

  if ($("add-list")) $("add-list").addEventListener("submit", guarded(async (event) => {
    const form = new FormData(event.target);
    const added = await api("POST", `/api/v1/campaigns/${campaignId}/calls`, { list_id: form.get("list_id") });
    $("add-report").textContent =
      `Added ${added.added} of ${added.requested} (${added.already_in_campaign} already in the campaign, ` +
      `${added.without_number} without a number).`;
  }));

  // An upload with a progress figure: bytes sent, then the server's import.
  function upload(form) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("POST", "/api/v1/people/import");
      request.setRequestHeader("X-CSRF-Token", csrf());
      request.setRequestHeader("Accept", "application/json");
      request.upload.onprogress = (progress) => {
        if (progress.lengthComputable) {
          const percent = Math.round((100 * progress.loaded) / progress.total);
          $("add-report").textContent = `Uploading: ${percent} %`;
        }
      };
      request.upload.onload = () => ($("add-report").textContent = "Importing…");
      request.onload = () => {
        const data = request.responseText ? JSON.parse(request.responseText) : null;
        if (request.status >= 200 && request.status < 300) resolve(data);
        else reject(new Error((data && data.detail) || `upload failed (${request.status})`));
      };
      request.onerror = () => reject(new Error("the upload failed: check the connection"));
      request.send(form);
    });
  }

  if ($("upload-csv")) $("upload-csv").addEventListener("submit", guarded(async (event) => {
    const form = new FormData(event.target);
    form.append("campaign_id", campaignId);
    $("add-report").textContent = "Uploading: 0 %";
    const report = await upload(form);
    const problems = report.errors.slice(0, 5).map((e) => `row ${e.row}: ${e.field} ${e.reason}`);
    $("add-report").textContent =
      `Read ${report.rows} rows: ${report.created} new, ${report.updated} updated, ` +
      `${report.added_to_campaign} added to the campaign, ${report.errors.length} refused. ` +
      problems.join("; ");
  }));

  function setFigure(name, text) {
    const node = document.querySelector(`[data-figure="${name}"]`);
    if (node) node.textContent = text;
  }

  function showFigures(f) {
    for (const state of ["available", "connected", "wrap_up", "paused"]) {
      setFigure(`callers_${state}`, f.callers[state] || 0);
    }
    setFigure("calls_in_flight", f.calls_in_flight);
    setFigure("dials", f.dials);
    setFigure("contacts", f.contacts);
    setFigure("progress", `${Math.round(f.progress * 100)} %`);
    setFigure("abandon_rate", `${(f.abandon_rate * 100).toFixed(1)} %`);
    $("abandon-figure").classList.toggle("over", f.abandon_rate > f.abandon_target);
    $("status").textContent = f.status;
    $("status").dataset.state = f.status;
    history.push({ at: Date.now(), talking: f.callers.connected || 0, contacts: f.contacts, abandon: f.abandon_rate * 100 });
    if (history.length > 600) history.shift();
    drawChart();
  }

  function drawChart() {
    const canvas = $("chart");
    const context = canvas.getContext("2d");
    const width = canvas.width;
    const height = canvas.height;
    const pad = 28;
    context.clearRect(0, 0, width, height);
    context.font = "12px system-ui, sans-serif";
    context.fillStyle = "#5d6b7e";
    context.fillText("callers talking", pad, 14);
    context.fillStyle = "#c62828";
    context.fillText("abandon rate %", pad + 110, 14);
    if (history.length < 2) return;
    const series = [
      { key: "talking", color: "#2e7d32" },
      { key: "abandon", color: "#c62828" },
    ];
    for (const { key, color } of series) {
      const top = Math.max(1, ...history.map((point) => point[key]));
      context.strokeStyle = color;
      context.lineWidth = 2;
      context.beginPath();
      history.forEach((point, index) => {
        const x = pad + ((width - 2 * pad) * index) / (history.length - 1);
        const y = height - pad - ((height - 2 * pad) * point[key]) / top;
        if (index === 0) context.moveTo(x, y);
        else context.lineTo(x, y);
      });
      context.stroke();
    }
  }

  function listen() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${window.location.host}/api/v1/campaigns/${campaignId}/live/events`);
    socket.onmessage = (message) => showFigures(JSON.parse(message.data));
    socket.onclose = () => setTimeout(listen, 2000);
  }
  listen();
}
