// The calling page's result form: building it from the script, reading it, and its drafts.
// A draft (answers, notes, disposition) is kept per session and call in this browser and on
// the server, so what a volunteer typed survives a reload and a server restart.

const $ = (id) => document.getElementById(id);
export const DISPOSITIONS = [
  ["completed", "Talked"],
  ["refused", "Refused"],
  ["not_available", "Not available"],
  ["wrong_number", "Wrong number"],
  ["call_back", "Call back later"],
  ["do_not_call", "Do not call"],
  ["voicemail", "Left a voicemail"],
];
const SAVE_DRAFT_AFTER_MS = 400;

export function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

/** Build the questions, dispositions and note fields of `script` into the form. */
export function renderForm(script) {
  const body = $("script-body");
  body.replaceChildren();
  const blocks = [
    ...script.texts.map((text) => ({ position: text.position, text })),
    ...script.questions.map((question) => ({ position: question.position, question })),
  ].sort((a, b) => a.position - b.position);
  for (const block of blocks) {
    if (block.text) {
      const section = element("section", { class: "script-text" });
      if (block.text.title) section.append(element("h2", { class: "script-title" }, block.text.title));
      section.append(element("p", { "data-template": block.text.content }, block.text.content));
      body.append(section);
      continue;
    }
    const question = block.question;
    const fieldset = element("fieldset", { class: "question", "data-question": question.id });
    const legendId = `legend-${question.id}`;
    fieldset.append(element("legend", { id: legendId },
      (question.title || question.name) + (question.required ? " *" : "")));
    if (question.description) fieldset.append(element("p", { class: "muted" }, question.description));
    if (question.question_type === "Paragraph") {
      fieldset.append(element("textarea", { name: `q-${question.id}`, rows: "2", "aria-labelledby": legendId }));
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
}

/** What the form holds now: `{disposition, answers: {question id: keys | text}, notes}`. */
export function readDraft(script) {
  const form = $("script");
  const answers = {};
  for (const question of script.questions) {
    const name = `q-${question.id}`;
    if (question.question_type === "Paragraph") {
      const text = form.elements[name].value;
      if (text.trim()) answers[question.id] = text;
    } else {
      const chosen = [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
      if (chosen.length) answers[question.id] = chosen;
    }
  }
  const notes = {};
  const general = form.elements.notes.value;
  if (general.trim()) notes.notes = general;
  for (const field of script.note_fields) {
    const value = form.elements[`note-${field.name}`].value;
    if (value.trim()) notes[field.name] = value;
  }
  const chosen = form.querySelector('input[name="disposition"]:checked');
  return { disposition: chosen ? chosen.value : "completed", answers, notes };
}

/** The result to save, from the form. */
export function readResult(script) {
  const draft = readDraft(script);
  const answers = Object.entries(draft.answers).map(([questionId, value]) =>
    Array.isArray(value) ? { question_id: questionId, responses: value } : { question_id: questionId, text: value.trim() });
  const notes = Object.fromEntries(Object.entries(draft.notes).map(([key, value]) => [key, value.trim()]));
  return { disposition: draft.disposition, answers, notes };
}

/** Put a draft back into the form. */
export function applyDraft(script, draft) {
  const form = $("script");
  for (const question of script.questions) {
    const value = draft.answers && draft.answers[question.id];
    if (value === undefined) continue;
    const name = `q-${question.id}`;
    if (question.question_type === "Paragraph") {
      form.elements[name].value = String(value);
    } else {
      for (const input of form.querySelectorAll(`input[name="${name}"]`)) input.checked = value.includes(input.value);
    }
  }
  for (const [key, value] of Object.entries(draft.notes || {})) {
    const input = key === "notes" ? form.elements.notes : form.elements[`note-${key}`];
    if (input) input.value = value;
  }
  if (draft.disposition) {
    const input = form.querySelector(`input[name="disposition"][value="${draft.disposition}"]`);
    if (input) input.checked = true;
  }
}

/** Whether the volunteer has put anything in the form. */
export function isBlank(draft) {
  return !Object.keys(draft.answers).length && !Object.keys(draft.notes).length &&
    draft.disposition === "completed";
}

const localKey = (sessionId, callId) => `pb-draft:${sessionId}:${callId}`;

/** Keeps the form's draft of the current call, in this browser at once and on the server soon. */
export class Drafts {
  constructor(caller) {
    this.caller = caller;
    this.timer = null;
  }

  local(sessionId, callId) {
    try {
      return JSON.parse(localStorage.getItem(localKey(sessionId, callId)) || "null");
    } catch {
      return null;
    }
  }

  /** The draft of a call: this browser's, else the server's (null when there is none). */
  async load(sessionId, callId) {
    const mine = this.local(sessionId, callId);
    if (mine) return mine;
    try {
      return await this.caller.draft(callId);
    } catch {
      return null;
    }
  }

  keep(sessionId, callId, draft) {
    localStorage.setItem(localKey(sessionId, callId), JSON.stringify(draft));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.caller.saveDraft(callId, draft, sessionId).catch(() => {}); // this browser has it
    }, SAVE_DRAFT_AFTER_MS);
  }

  forget(sessionId, callId) {
    clearTimeout(this.timer);
    localStorage.removeItem(localKey(sessionId, callId));
  }
}
