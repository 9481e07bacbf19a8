// The volunteer calling page, built on the caller SDK.
import { CallerClient } from "/sdk/caller.js";
import { connectAudio } from "/static/voice.js";

const caller = new CallerClient();
const $ = (id) => document.getElementById(id);
const DISPOSITIONS = [
  ["completed", "Talked"],
  ["refused", "Refused"],
  ["not_available", "Not available"],
  ["wrong_number", "Wrong number"],
  ["call_back", "Call back later"],
  ["do_not_call", "Do not call"],
];
const STATE_TEXT = {
  available: ["Waiting for a connection", "Stay ready: the next person who answers is connected to you."],
  previewing: ["Previewing", "Read the contact, then dial or skip."],
  dialing: ["Dialing", "The phone is ringing."],
  connected: ["Connected", "You are talking. Record the answers as you go."],
  wrap_up: ["Wrap-up", "The call has ended. Finish the result, then save."],
  paused: ["Paused", "No calls come to you until you resume."],
  ended: ["Session ended", ""],
};
let script = null;
let stateSince = null;
let formCallId = null;
let leaveAudio = () => {};

function show(section) {
  for (const id of ["login", "campaigns", "desk"]) $(id).hidden = id !== section;
}

function fail(error) {
  const box = $("error");
  box.textContent = error.detail || error.message || String(error);
  box.hidden = false;
  setTimeout(() => (box.hidden = true), 6000);
}

function guard(action) {
  return async (event) => {
    if (event) event.preventDefault();
    try {
      await action(event);
    } catch (error) {
      fail(error);
    }
  };
}

// ---------------------------------------------------------------- login and campaigns

for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll(".tab")) other.classList.toggle("active", other === tab);
    $("password-form").hidden = tab.dataset.tab !== "password-form";
    $("pin-form").hidden = tab.dataset.tab !== "pin-form";
  });
}

$("password-form").addEventListener("submit", guard(async (event) => {
  const form = new FormData(event.target);
  await caller.login({ email: form.get("email"), password: form.get("password") });
  await afterLogin();
}));

$("pin-form").addEventListener("submit", guard(async (event) => {
  const form = new FormData(event.target);
  await caller.login({
    accessCode: form.get("access_code"),
    pin: form.get("pin"),
    email: form.get("email") || undefined,
  });
  await afterLogin();
}));

$("logout").addEventListener("click", guard(async () => {
  await caller.logout();
  $("who").textContent = "";
  $("logout").hidden = true;
  show("login");
}));

async function afterLogin() {
  $("who").textContent = caller.caller.name;
  $("logout").hidden = false;
  const session = await caller.resume();
  if (session) return enterDesk();
  const campaigns = await caller.campaigns();
  const list = $("campaign-list");
  list.replaceChildren();
  for (const campaign of campaigns) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.className = "primary";
    button.textContent = `Start calling: ${campaign.title || campaign.name}`;
    button.dataset.campaign = campaign.id;
    button.addEventListener("click", guard(async () => {
      await caller.join(campaign.id);
      await enterDesk();
    }));
    item.append(button);
    list.append(item);
  }
  $("no-campaigns").hidden = campaigns.length > 0;
  show("campaigns");
}

// ---------------------------------------------------------------- the desk

async function enterDesk() {
  show("desk");
  $("campaign-name").textContent = caller.session.campaign_name;
  try {
    script = await caller.script();
  } catch (error) {
    script = { texts: [], questions: [], note_fields: [], transfers: [] };
  }
  renderScript();
  render(caller.session);
  leaveAudio();
  try {
    leaveAudio = await connectAudio(caller.session.id, (text) => ($("audio").textContent = text));
  } catch (error) {
    fail(error);
  }
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

function renderScript() {
  const body = $("script-body");
  body.replaceChildren();
  const blocks = [
    ...script.texts.map((text) => ({ position: text.position, text })),
    ...script.questions.map((question) => ({ position: question.position, question })),
  ].sort((a, b) => a.position - b.position);
  for (const block of blocks) {
    if (block.text) {
      const section = element("section", { class: "script-text" });
      if (block.text.title) section.append(element("h3", {}, block.text.title));
      section.append(element("p", { "data-template": block.text.content }, block.text.content));
      body.append(section);
      continue;
    }
    const question = block.question;
    const fieldset = element("fieldset", { class: "question", "data-question": question.id });
    fieldset.append(element("legend", {}, (question.title || question.name) + (question.required ? " *" : "")));
    if (question.description) fieldset.append(element("p", { class: "muted" }, question.description));
    if (question.question_type === "Paragraph") {
      fieldset.append(element("textarea", { name: `q-${question.id}`, rows: "2" }));
    } else {
      const type = question.question_type === "SingleChoice" ? "radio" : "checkbox";
      for (const response of question.responses) {
        const label = element("label", { class: "choice" });
        label.append(element("input", { type, name: `q-${question.id}`, value: response.key }));
        label.append(document.createTextNode(" " + response.name));
        fieldset.append(label);
      }
    }
    body.append(fieldset);
  }
  const dispositions = $("dispositions");
  dispositions.replaceChildren();
  for (const [key, name] of DISPOSITIONS) {
    const label = element("label", { class: "choice" });
    const input = element("input", { type: "radio", name: "disposition", value: key });
    if (key === "completed") input.defaultChecked = input.checked = true; // survives form.reset()
    label.append(input, document.createTextNode(" " + name));
    dispositions.append(label);
  }
  const notes = $("note-fields");
  notes.replaceChildren();
  for (const field of script.note_fields) {
    const label = element("label", {}, field.name.replaceAll("_", " "));
    label.append(element("input", { name: `note-${field.name}` }));
    notes.append(label);
  }
  const transfers = $("transfers");
  transfers.replaceChildren();
  for (const transfer of script.transfers) {
    const button = element("button", { class: "transfer", "data-transfer": transfer.id },
      `Transfer: ${transfer.label} (${transfer.transfer_type})`);
    button.addEventListener("click", guard(() => caller.transfer(transfer.id)));
    transfers.append(button);
  }
}

// Script texts name contact fields in braces ("Hi {given_name}"): fill them in for the caller.
function fillTexts(contact) {
  const fields = contact ? { ...contact.attributes, ...contact } : {};
  for (const node of document.querySelectorAll("[data-template]")) {
    node.textContent = node.dataset.template.replace(/\{([a-z_.]+)\}/g, (whole, name) => {
      const key = name.replace(/^custom_fields\./, "");
      const value = fields[key];
      return value === undefined || value === null || typeof value === "object" ? whole : String(value);
    });
  }
}

function collectResult() {
  const form = $("script");
  const answers = [];
  for (const question of script.questions) {
    const name = `q-${question.id}`;
    if (question.question_type === "Paragraph") {
      const text = form.elements[name].value.trim();
      if (text) answers.push({ question_id: question.id, text });
    } else {
      const chosen = [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
      if (chosen.length) answers.push({ question_id: question.id, responses: chosen });
    }
  }
  const notes = {};
  const general = form.elements.notes.value.trim();
  if (general) notes.notes = general;
  for (const field of script.note_fields) {
    const value = form.elements[`note-${field.name}`].value.trim();
    if (value) notes[field.name] = value;
  }
  const chosen = form.querySelector('input[name="disposition"]:checked');
  const disposition = chosen ? chosen.value : "completed";
  return { disposition, answers, notes };
}

function resetForm() {
  $("script").reset();
}

async function save(then) {
  const saved = await caller.submit(collectResult(), { then });
  resetForm();
  formCallId = null;
  if (then === "stop") {
    await afterLogin();
  }
  return saved;
}

$("script").addEventListener("submit", guard(() => save("continue")));
$("save-stop").addEventListener("click", guard(() => save("stop")));
$("dial").addEventListener("click", guard(() => caller.dial()));
$("skip").addEventListener("click", guard(() => caller.skip()));
$("hangup").addEventListener("click", guard(() => caller.hangUp()));
$("voicemail").addEventListener("click", guard(() => caller.dropVoicemail()));
$("pause").addEventListener("click", guard(() => caller.pause(caller.session.state !== "paused")));
$("leave").addEventListener("click", guard(async () => {
  await caller.leave();
  await afterLogin();
}));

function render(session) {
  if (!session) return;
  const state = session.state;
  const [title, help] = STATE_TEXT[state] || [state, ""];
  $("state").textContent = title;
  $("state").dataset.state = state;
  $("state-help").textContent = session.dialer_running || state === "ended" ? help
    : "The campaign is not dialing right now; calls start when it does.";
  stateSince = session.state_since ? new Date(session.state_since) : null;
  const contact = session.contact;
  $("contact").hidden = !contact;
  if (contact) {
    $("contact-name").textContent = contact.name;
    $("contact-phone").textContent = contact.phone_number || "";
    $("contact-phone").href = contact.phone_number ? `tel:${contact.phone_number}` : "#";
    const list = $("contact-attributes");
    list.replaceChildren();
    for (const [key, value] of Object.entries(contact.attributes || {})) {
      list.append(element("dt", {}, key.replaceAll("_", " ")), element("dd", {}, String(value)));
    }
    if (formCallId !== contact.call_id && state !== "wrap_up") {
      resetForm();
      formCallId = contact.call_id;
    }
  }
  fillTexts(contact);
  $("call-state").textContent = session.call_state ? `(${session.call_state})` : "";
  const onCall = state === "connected";
  $("preview-actions").hidden = state !== "previewing";
  $("call-actions").hidden = !onCall;
  $("script").hidden = !(onCall || state === "wrap_up" || state === "dialing");
  $("pause").textContent = state === "paused" ? "Resume" : "Pause";
  $("pause").disabled = !["available", "paused"].includes(state);
  if (state === "ended") {
    const reason = session.end_reason ? ` (${session.end_reason})` : "";
    $("state-help").textContent = `Your session ended${reason}.`;
  }
}

caller.on("session", (event) => render(event.session));
caller.on("ended", (event) => {
  leaveAudio();
  if (event.reason === "kicked") fail({ detail: "A supervisor ended your session." });
});
caller.on("offline", () => $("state").classList.add("offline"));
caller.on("online", () => $("state").classList.remove("offline"));

setInterval(() => {
  if (!stateSince) return;
  const seconds = Math.max(0, Math.floor((Date.now() - stateSince.getTime()) / 1000));
  $("timer").textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}, 500);

// ---------------------------------------------------------------- keyboard shortcuts

const KEYS = { d: "dial", s: "skip", h: "hangup", v: "voicemail", n: "save-next", x: "save-stop", p: "pause" };
document.addEventListener("keydown", (event) => {
  if ($("desk").hidden || event.altKey || event.metaKey) return;
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName) &&
    !["radio", "checkbox"].includes(event.target.type);
  if (event.ctrlKey && event.key === "Enter") {
    event.preventDefault();
    $("save-next").click();
    return;
  }
  if (typing && event.key === "Escape") {
    event.target.blur(); // leave the text box: the single-key shortcuts work again
    return;
  }
  if (typing || event.ctrlKey) return;
  const id = KEYS[event.key.toLowerCase()];
  const button = id && $(id);
  if (button && !button.closest("[hidden]") && !button.disabled) {
    event.preventDefault();
    button.click();
  }
});

// ---------------------------------------------------------------- start

(async () => {
  try {
    await caller.me();
    await afterLogin();
  } catch (error) {
    if (error.status !== 401) fail(error);
    show("login");
  }
})();
