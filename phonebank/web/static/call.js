// The volunteer calling page, built on the caller SDK.
import { CallerClient } from "/sdk/caller.js";
import { connectAudio } from "/static/voice.js";
import { applyDraft, Drafts, element, isBlank, readDraft, readResult, renderForm } from "/static/call_form.js";

const caller = new CallerClient();
const drafts = new Drafts(caller);
const $ = (id) => document.getElementById(id);
const STATE_TEXT = {
  available: ["Waiting for a connection", "Stay ready: the next person who answers is connected to you."],
  previewing: ["Previewing", "Read the contact, then dial or skip."],
  dialing: ["Dialing", "The phone is ringing."],
  connected: ["Connected", "You are talking. Record the answers as you go."],
  wrap_up: ["Wrap-up", "The call has ended. Finish the result, then save."],
  paused: ["Paused", "No calls come to you until you resume."],
  ended: ["Session ended", ""],
};
const CAMPAIGN_TEXT = {
  paused: "The organizer paused the campaign: no new calls come to you until it resumes. " +
    "Finish the call you are on; you may stay or stop calling.",
  stopped: "The organizer stopped the campaign: it takes no more calls. " +
    "Save the result of your last call, then pick another campaign.",
  started: "Calling resumed: the next person who answers is connected to you.",
};
const OUTCOME_TEXT = {
  busy: "the line was busy",
  no_answer: "nobody answered",
  failed: "the call did not go through",
  cancelled: "the call was cancelled",
};
const SHORTCUTS_KEY = "pb-shortcuts";
const NOTICE_KEY = "pb-campaign-notice";
let script = null;
let stateSince = null;
let formCallId = null; // the call the result form is for (null: not known yet)
let orphan = null; // a draft of a call cut off (a restart): {session_id, call_id, contact_name}
let lastState = null;
let lastCampaignStatus = null;
let leaveAudio = () => {};

function show(section) {
  for (const id of ["login", "campaigns", "desk"]) $(id).hidden = id !== section;
}

function announce(text) {
  $("announce").textContent = text;
}

// What a volunteer can do about a failure, in words (never a bare "Failed to fetch").
function explain(error) {
  if (error instanceof TypeError || error.status === undefined) {
    return "Could not reach the server: check your connection, then try again.";
  }
  const detail = error.detail || error.message || "";
  if (error.status === 401) return "You were logged out: log in again.";
  if (error.status === 409) return `${detail} Wait a moment, then try again.`;
  if (error.status >= 500) return "The server had a problem: try again in a moment.";
  return detail || "That did not work: try again.";
}

function fail(error, slot = "page") {
  const box = $(`${slot}-error`) || $("page-error");
  box.querySelector(".message").textContent = explain(error);
  box.hidden = false;
}

for (const box of document.querySelectorAll(".inline-error")) {
  box.querySelector(".dismiss").addEventListener("click", () => (box.hidden = true));
}

// Run an action; a failure is shown beside the control that started it, until dismissed.
function guard(action, slot) {
  return async (event) => {
    if (event) event.preventDefault();
    const box = $(`${slot}-error`);
    try {
      await action(event);
      if (box) box.hidden = true;
    } catch (error) {
      fail(error, slot);
    }
  };
}

// ---------------------------------------------------------------- login and campaigns

const tabs = [...document.querySelectorAll('[role="tab"]')];
function selectTab(tab) {
  for (const other of tabs) {
    const chosen = other === tab;
    other.classList.toggle("active", chosen);
    other.setAttribute("aria-selected", String(chosen));
    other.tabIndex = chosen ? 0 : -1;
    $(other.dataset.tab).hidden = !chosen;
  }
}
for (const tab of tabs) {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
    selectTab(next);
    next.focus();
  });
}

$("password-form").addEventListener("submit", guard(async (event) => {
  const form = new FormData(event.target);
  await caller.login({ email: form.get("email"), password: form.get("password") });
  await afterLogin();
}, "password-form"));

$("pin-form").addEventListener("submit", guard(async (event) => {
  const form = new FormData(event.target);
  await caller.login({
    accessCode: form.get("access_code"),
    pin: form.get("pin"),
    email: form.get("email") || undefined,
  });
  await afterLogin();
}, "pin-form"));

$("logout").addEventListener("click", guard(async () => {
  await caller.logout();
  $("who").textContent = "";
  $("logout").hidden = true;
  show("login");
}, "page"));

async function afterLogin(notice = "") {
  $("who").textContent = caller.caller.name;
  $("logout").hidden = false;
  const session = await caller.resume();
  if (session) return enterDesk();
  const [unsaved] = await caller.unsavedDrafts().catch(() => []);
  if (unsaved) return enterOrphan(unsaved);
  const campaigns = await caller.campaigns();
  const list = $("campaign-list");
  list.replaceChildren();
  for (const campaign of campaigns) {
    const item = document.createElement("li");
    const button = element("button", { class: "primary", "data-campaign": campaign.id },
      `Start calling: ${campaign.title || campaign.name}`);
    button.addEventListener("click", guard(async () => {
      await caller.join(campaign.id);
      localStorage.removeItem(NOTICE_KEY);
      await enterDesk();
    }, "campaigns"));
    item.append(button);
    list.append(item);
  }
  $("no-campaigns").hidden = campaigns.length > 0;
  notice = notice || localStorage.getItem(NOTICE_KEY) || "";
  $("campaigns-notice").textContent = notice;
  $("campaigns-notice").hidden = !notice;
  show("campaigns");
}

// ---------------------------------------------------------------- the desk

async function loadScript() {
  try {
    script = await caller.script();
  } catch {
    script = { texts: [], questions: [], note_fields: [], transfers: [] };
  }
  renderForm(script);
  const transfers = $("transfers");
  transfers.replaceChildren();
  for (const transfer of script.transfers) {
    const button = element("button", { class: "transfer", "data-transfer": transfer.id },
      `Transfer: ${transfer.label} (${transfer.transfer_type})`);
    button.addEventListener("click", guard(() => caller.transfer(transfer.id), "call-actions"));
    transfers.append(button);
  }
}

async function enterDesk() {
  show("desk");
  $("campaign-name").textContent = caller.session.campaign_name;
  formCallId = null;
  orphan = null;
  await loadScript();
  render(caller.session);
  if (!caller.session.contact) {
    const [unsaved] = await caller.unsavedDrafts().catch(() => []);
    if (unsaved && !caller.session.contact) adoptOrphan(unsaved);
  }
  leaveAudio();
  try {
    leaveAudio = await connectAudio(caller.session.id, (text) => ($("audio").textContent = text));
  } catch (error) {
    fail(error, "call-actions");
  }
}

// A call cut off before its result was saved (a restart): its draft, to finish and save.
function adoptOrphan(draft) {
  orphan = draft;
  formCallId = draft.call_id;
  $("script").reset();
  applyDraft(script, draft);
  $("orphan").textContent = `Your call with ${draft.contact_name || "your last contact"} was cut off ` +
    "before its result was saved. Your answers are kept: finish them, then save.";
  $("orphan").hidden = false;
  $("script").hidden = false;
}

async function enterOrphan(draft) {
  // The session ended under the caller: the desk shows only that call's result to save.
  caller.session = null;
  show("desk");
  $("campaign-name").textContent = "Unsaved result";
  script = null;
  const session = { id: draft.session_id };
  caller.session = session; // the script of the session the draft belongs to
  await loadScript().finally(() => (caller.session = null));
  for (const id of ["preview-actions", "call-actions", "contact"]) $(id).hidden = true;
  $("state").textContent = "Unsaved result";
  $("state").dataset.state = "wrap_up";
  $("state-help").textContent = "Save this result, then pick a campaign.";
  $("pause").disabled = true;
  adoptOrphan(draft);
}

function sessionId() {
  return orphan ? orphan.session_id : caller.session && caller.session.id;
}

function keepDraft() {
  if (formCallId && sessionId()) drafts.keep(sessionId(), formCallId, readDraft(script));
}
$("script").addEventListener("input", keepDraft);
$("script").addEventListener("change", keepDraft);

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

// The form follows the call in hand; what was typed before the call was known stays.
async function followCall(contact, state) {
  if (formCallId === contact.call_id) return;
  const typed = readDraft(script);
  const earlier = formCallId !== null && state !== "wrap_up";
  if (earlier) $("script").reset();
  formCallId = contact.call_id;
  orphan = null;
  $("orphan").hidden = true;
  const id = caller.session.id;
  const callId = contact.call_id;
  const kept = await drafts.load(id, callId);
  if (formCallId !== callId) return;
  if (kept && (earlier || isBlank(typed))) applyDraft(script, kept);
  if (!isBlank(readDraft(script))) keepDraft(); // also on the server, whichever kept it
}

function renderCampaign(session) {
  const status = session.campaign_status || "started";
  const notice = $("campaign-notice");
  const changed = lastCampaignStatus !== null && lastCampaignStatus !== status;
  const text = status === "started" ? (changed ? CAMPAIGN_TEXT.started : "") : CAMPAIGN_TEXT[status] || "";
  notice.textContent = text;
  notice.hidden = !text;
  notice.dataset.status = status;
  // The campaign list says it too, after a reload: the stop ended the session.
  if (status === "stopped") localStorage.setItem(NOTICE_KEY, text);
  if (changed && text) announce(text);
  lastCampaignStatus = status;
}

function renderOutcome(session) {
  const box = $("call-outcome");
  const outcome = OUTCOME_TEXT[session.call_state];
  if (outcome && session.contact) {
    const text = `${session.contact.name}: ${outcome}. The call will be tried again later. ` +
      "Next: dial or skip the next contact, pause, or stop calling.";
    box.textContent = text;
    box.hidden = false;
    announce(text);
  } else if (["connected", "wrap_up"].includes(session.state)) {
    box.hidden = true;
  }
}

function render(session) {
  if (!session || orphan && !session.contact) return;
  const state = session.state;
  const campaignHeld = session.campaign_status && session.campaign_status !== "started";
  const [title, help] = campaignHeld && state === "available"
    ? [`Campaign ${session.campaign_status}`, ""]
    : STATE_TEXT[state] || [state, ""];
  $("state").textContent = title;
  $("state").dataset.state = state;
  const paused = session.campaign_status && session.campaign_status !== "started";
  $("state-help").textContent = session.dialer_running || state === "ended" || paused ? help
    : "The campaign is not dialing right now; calls start when it does.";
  if (paused && ["available", "previewing"].includes(state)) $("state-help").textContent = "";
  renderCampaign(session);
  if (state !== lastState) {
    announce(`${title}. ${$("state-help").textContent}`);
    lastState = state;
  }
  stateSince = session.state_since ? new Date(session.state_since) : null;
  const contact = session.contact;
  $("contact").hidden = !contact;
  if (contact) {
    $("contact-name").textContent = contact.name;
    $("contact-phone").textContent = contact.phone_number || "";
    const list = $("contact-attributes");
    list.replaceChildren();
    for (const [key, value] of Object.entries(contact.attributes || {})) {
      list.append(element("dt", {}, key.replaceAll("_", " ")), element("dd", {}, String(value)));
    }
    if (state !== "previewing") followCall(contact, state);
  }
  renderOutcome(session);
  fillTexts(contact);
  $("call-state").textContent = session.call_state && !OUTCOME_TEXT[session.call_state]
    ? `(${session.call_state})` : "";
  if (session.call_state === "voicemail") {
    const input = $("script").querySelector('input[name="disposition"][value="voicemail"]');
    if (input && !input.checked) {
      input.checked = true;
      keepDraft();
    }
  }
  const onCall = state === "connected";
  $("preview-actions").hidden = state !== "previewing";
  $("call-actions").hidden = !onCall;
  // Paused with a contact in hand: the wrap-up ran past its maximum, the result is still due.
  const resultDue = state === "paused" && Boolean(contact);
  if (resultDue) {
    $("state-help").textContent = "Your wrap-up ran long, so calls are paused: save this call's " +
      "result, then resume when you are ready.";
  }
  $("script").hidden = !(onCall || state === "wrap_up" || state === "dialing" || orphan || resultDue);
  $("pause").textContent = state === "paused" ? "Resume" : "Pause";
  $("pause").disabled = !["available", "paused"].includes(state);
  const calls = session.calls_made || 0;
  const talks = session.contacts_made || 0;
  $("session-counts").textContent = `This session: ${calls} ${calls === 1 ? "call" : "calls"}, ` +
    `${talks} ${talks === 1 ? "conversation" : "conversations"}.`;
  if (state === "ended") {
    const reason = session.end_reason ? ` (${session.end_reason})` : "";
    $("state-help").textContent = `Your session ended${reason}.`;
  }
}

async function save(then) {
  $("saved").textContent = "";
  const result = readResult(script);
  const callId = formCallId;
  const who = orphan ? orphan.contact_name : $("contact-name").textContent;
  let saved;
  if (orphan) {
    saved = await caller.saveResultOf(orphan.session_id, orphan.call_id, result);
    drafts.forget(orphan.session_id, orphan.call_id);
  } else {
    saved = await caller.submit(result, { then });
    if (callId) drafts.forget(saved.session.id, callId);
  }
  $("script").reset();
  formCallId = null;
  const wasOrphan = Boolean(orphan);
  orphan = null;
  $("orphan").hidden = true;
  const text = `Saved: ${who || "the call"} (${result.disposition.replaceAll("_", " ")}).`;
  if (then === "stop" || wasOrphan || !caller.session || caller.session.state === "ended") {
    await afterLogin(text);
  } else {
    $("saved").textContent = text;
    render(caller.session);
  }
  return saved;
}

$("script").addEventListener("submit", guard(() => save("continue"), "script"));
$("save-stop").addEventListener("click", guard(() => save("stop"), "script"));
$("dial").addEventListener("click", guard(() => caller.dial(), "preview-actions"));
$("skip").addEventListener("click", guard(() => caller.skip(), "preview-actions"));
$("hangup").addEventListener("click", guard(() => caller.hangUp(), "call-actions"));
$("voicemail").addEventListener("click", guard(() => caller.dropVoicemail(), "call-actions"));
$("pause").addEventListener("click", guard(() => caller.pause(caller.session.state !== "paused"), "footer"));
$("leave").addEventListener("click", guard(async () => {
  await caller.leave();
  await afterLogin();
}, "footer"));

caller.on("session", (event) => render(event.session));
caller.on("call", (event) => {
  if (OUTCOME_TEXT[event.state]) $("saved").textContent = "";
});
caller.on("ended", (event) => {
  leaveAudio();
  if (event.reason === "kicked") fail({ status: 0, detail: "A supervisor ended your session." });
});
caller.on("offline", () => {
  $("state").classList.add("offline");
  const session = caller.session;
  // An ending without a reason is the server going away (a restart): come back with it.
  if (session && session.state === "ended" && !session.end_reason) setTimeout(comeBack, 2000);
});
caller.on("online", () => $("state").classList.remove("offline"));

async function comeBack() {
  try {
    await caller.me();
    await afterLogin();
  } catch {
    setTimeout(comeBack, 2000);
  }
}

setInterval(() => {
  if (!stateSince) return;
  const seconds = Math.max(0, Math.floor((Date.now() - stateSince.getTime()) / 1000));
  $("timer").textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}, 500);

// ---------------------------------------------------------------- keyboard shortcuts

const KEYS = { d: "dial", s: "skip", h: "hangup", v: "voicemail", n: "save-next", x: "save-stop", p: "pause" };
const switchBox = $("shortcuts-on");
switchBox.checked = localStorage.getItem(SHORTCUTS_KEY) !== "off";
switchBox.addEventListener("change", () => {
  localStorage.setItem(SHORTCUTS_KEY, switchBox.checked ? "on" : "off");
  $("shortcut-help").hidden = !switchBox.checked;
});
$("shortcut-help").hidden = !switchBox.checked;

document.addEventListener("keydown", (event) => {
  if ($("desk").hidden || event.altKey || event.metaKey || !switchBox.checked) return;
  const target = event.target;
  // Any form control (a text box, an answer, a menu) takes its keys: none is a shortcut there.
  const inControl = ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.isContentEditable;
  if (event.ctrlKey && event.key === "Enter") {
    event.preventDefault();
    $("save-next").click();
    return;
  }
  if (inControl && event.key === "Escape") {
    target.blur(); // leave the control: the single-key shortcuts work again
    return;
  }
  if (inControl || event.ctrlKey) return;
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
