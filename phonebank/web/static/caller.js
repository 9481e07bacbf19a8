/**
 * Phonebank caller SDK: everything a caller's page does, as a small ES module.
 *
 *   import { CallerClient } from "/sdk/caller.js";
 *   const caller = new CallerClient();
 *   await caller.login({ email, password });          // or { accessCode, pin }
 *   const [campaign] = await caller.campaigns();
 *   await caller.join(campaign.id);                    // opens the live event stream
 *   caller.on("connected", (event) => show(event.contact));
 *   caller.on("state", (event) => console.log(event.state));
 *   await caller.saveAndContinue({ disposition: "completed", answers: [...], notes: {} });
 *
 * Events (`caller.on(type, handler)`; "*" receives all):
 *   snapshot  {session}                  the whole session, on (re)connect
 *   state     {state, since}             available, previewing, dialing, connected, wrap_up, paused, ended
 *   preview   {call_id, contact, script} a contact to preview (preview mode)
 *   connected {call_id, contact, script} the contact is on the line, and what to read
 *   call      {call_id, state}           ringing, transferred, voicemail, ended
 *   ended     {reason}                   the session ended (left, stopped, kicked, rejoined, logged_out)
 *   campaign  {status}                   the organizer paused, resumed (started) or stopped it
 *   session   {session}                  the session view after any action (also kept in `caller.session`)
 *   online / offline                     the event stream connected / lost (it reconnects by itself)
 *
 * While a session is open the SDK tells the server the page is there (the event stream, and a
 * heartbeat when the stream is down): a caller whose page is gone is paused, then ended.
 *
 * Every method returns a promise; a refusal rejects with a `CallerApiError` carrying `status`,
 * `detail` and `field` (the request field at fault, when one is).
 */

const API = "/api/v1/caller";
const RECONNECT_MS = [500, 1000, 2000, 5000];
// Well inside the server's presence timeout (15 s by default).
const HEARTBEAT_MS = 5000;

export class CallerApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `request failed (${status})`);
    this.name = "CallerApiError";
    this.status = status;
    this.detail = body && body.detail;
    this.field = body && body.field;
    this.errors = (body && body.errors) || [];
  }
}

function readCookie(name) {
  const pair = document.cookie.split("; ").find((item) => item.startsWith(name + "="));
  return pair ? decodeURIComponent(pair.slice(name.length + 1)) : null;
}

export class CallerClient {
  /** `baseUrl`: where Phonebank runs ("" for the page's own server). */
  constructor({ baseUrl = "" } = {}) {
    this.baseUrl = baseUrl;
    this.csrfToken = readCookie("pb_csrf");
    this.session = null;
    this.caller = null;
    this._handlers = new Map();
    this._socket = null;
    this._retry = 0;
    this._wanted = false;
    this._heartbeat = null;
  }

  // ---------------------------------------------------------------- events

  /** Call `handler(event)` for every event of `type` ("*" for all); returns an unsubscribe. */
  on(type, handler) {
    if (!this._handlers.has(type)) this._handlers.set(type, new Set());
    this._handlers.get(type).add(handler);
    return () => this._handlers.get(type).delete(handler);
  }

  _emit(type, event) {
    for (const key of [type, "*"]) {
      for (const handler of this._handlers.get(key) || []) {
        try {
          handler({ type, ...event });
        } catch (error) {
          console.error("caller event handler failed", error);
        }
      }
    }
  }

  _apply(event) {
    const session = this.session;
    if (event.type === "snapshot") {
      this.session = event.session;
    } else if (session && event.type === "state") {
      session.state = event.state;
      session.state_since = event.since;
      // A caller paused in wrap-up (too long, or away) still holds the contact to save.
      const keeps = event.state === "paused" && session.call_state === "ended";
      if ((event.state === "available" || event.state === "paused") && !keeps) {
        session.contact = null;
        session.call_state = null;
      }
    } else if (session && (event.type === "preview" || event.type === "connected")) {
      session.contact = event.contact;
      session.call_state = event.type === "connected" ? "connected" : null;
    } else if (session && event.type === "call") {
      session.call_state = event.state;
    } else if (session && event.type === "campaign") {
      session.campaign_status = event.status;
    } else if (session && event.type === "ended") {
      session.state = "ended";
      session.end_reason = event.reason;
    }
    this._emit(event.type, event);
    if (this.session) this._emit("session", { session: this.session });
  }

  /** Open the session's live event stream (reconnects by itself until `disconnect`). */
  connect() {
    if (!this.session) throw new Error("join a campaign first");
    this._wanted = true;
    this._open(this.session.id);
    this._beat();
  }

  _beat() {
    // The open event stream shows the page is there; without it (reconnecting, or blocked by
    // a proxy) a heartbeat does, so a caller is never paused for a stream that is down.
    clearInterval(this._heartbeat);
    this._heartbeat = setInterval(() => {
      const session = this.session;
      if (!this._wanted || !session || session.state === "ended") {
        clearInterval(this._heartbeat);
        return;
      }
      if (this._socket && this._socket.readyState === WebSocket.OPEN) return;
      this._request("POST", `/sessions/${session.id}/heartbeat`).catch(() => {});
    }, HEARTBEAT_MS);
  }

  _open(sessionId) {
    if (this._socket) this._socket.close();
    const base = new URL(this.baseUrl || window.location.href, window.location.href);
    const scheme = base.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${base.host}${API}/sessions/${sessionId}/events`);
    this._socket = socket;
    socket.onopen = () => {
      this._retry = 0;
      this._emit("online", {});
    };
    socket.onmessage = (message) => this._apply(JSON.parse(message.data));
    socket.onclose = () => {
      if (this._socket !== socket) return;
      this._socket = null;
      this._emit("offline", {});
      const over = this.session && this.session.state === "ended";
      if (this._wanted && !over) {
        const wait = RECONNECT_MS[Math.min(this._retry++, RECONNECT_MS.length - 1)];
        setTimeout(() => this._wanted && this._open(sessionId), wait);
      }
    };
  }

  /** Close the event stream. */
  disconnect() {
    this._wanted = false;
    clearInterval(this._heartbeat);
    if (this._socket) this._socket.close();
    this._socket = null;
  }

  // ---------------------------------------------------------------- requests

  async _request(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && this.csrfToken) headers["X-CSRF-Token"] = this.csrfToken;
    const response = await fetch(this.baseUrl + API + path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) throw new CallerApiError(response.status, data);
    return data;
  }

  _took(view) {
    const known = this.session;
    if (known && view && known.id === view.id && known.state !== "ended" &&
        Date.parse(known.state_since) > Date.parse(view.state_since)) {
      // An event told of a later state than the response saw (the dialer may answer from
      // another process, and its events travel apart): the response must not turn it back.
      view = { ...view, state: known.state, state_since: known.state_since,
               contact: known.contact, call_state: known.call_state };
    }
    this.session = view;
    this._emit("session", { session: view });
    return view;
  }

  _path(suffix = "") {
    if (!this.session) throw new Error("join a campaign first");
    return `/sessions/${this.session.id}${suffix}`;
  }

  /** Log in with `{email, password}` or `{accessCode, pin}` (plus `email` if PINs repeat). */
  async login({ email, password, accessCode, pin } = {}) {
    const body = accessCode ? { access_code: accessCode, pin } : { email, password };
    if (accessCode && email) body.email = email;
    const login = await this._request("POST", "/login", body);
    this.csrfToken = login.csrf_token;
    this.caller = login.caller;
    return login;
  }

  /** Leave the open session (a call in progress is hung up), then end this browser's login. */
  async logout() {
    if (this.session && this.session.state !== "ended") {
      try {
        await this.leave();
      } catch (error) {
        // The server leaves it on logout too; the login must end whatever this said.
        if (!(error instanceof CallerApiError)) throw error;
      }
    }
    this.disconnect();
    await this._request("POST", "/logout");
    this.caller = null;
    this.session = null;
  }

  /** The logged-in caller (rejects with status 401 when nobody is). */
  async me() {
    this.caller = await this._request("GET", "/me");
    return this.caller;
  }

  /** The campaigns this caller may join. */
  campaigns() {
    return this._request("GET", "/campaigns");
  }

  /** Join a campaign and open the event stream; the new session. */
  async join(campaignId) {
    const view = this._took(await this._request("POST", "/sessions", { campaign_id: campaignId }));
    this.connect();
    return view;
  }

  /** Pick up the caller's open session after a reload (null when there is none). */
  async resume() {
    try {
      const view = this._took(await this._request("GET", "/sessions/current"));
      this.connect();
      return view;
    } catch (error) {
      if (error.status === 404) return null;
      throw error;
    }
  }

  /** Refresh the session view. */
  async refresh() {
    return this._took(await this._request("GET", this._path()));
  }

  /** The campaign's script: texts, questions with responses, note fields, transfers. */
  script() {
    return this._request("GET", this._path("/script"));
  }

  /** Pause (no calls offered) or come back. */
  async pause(paused = true) {
    return this._took(await this._request("POST", this._path("/pause"), { paused }));
  }

  /** Dial the contact being previewed. */
  async dial() {
    return this._took(await this._request("POST", this._path("/preview/dial")));
  }

  /** Skip the contact being previewed. */
  async skip() {
    return this._took(await this._request("POST", this._path("/preview/skip")));
  }

  /** Hang up the connected call (after a warm transfer: leave it). */
  async hangUp() {
    return this._took(await this._request("POST", this._path("/hangup")));
  }

  /** Transfer the contact to one of the script's transfers. */
  async transfer(transferId) {
    return this._took(
      await this._request("POST", this._path("/transfer"), { transfer_id: transferId }),
    );
  }

  /** Leave the campaign's voicemail message and wrap up. */
  async dropVoicemail() {
    return this._took(await this._request("POST", this._path("/voicemail")));
  }

  _wrapUp() {
    // Resolves once the session is out of the call (the hang-up is confirmed by an event).
    return new Promise((resolve) => {
      const done = () => {
        const state = this.session && this.session.state;
        if (state && state !== "connected") {
          off();
          resolve();
        }
      };
      const off = this.on("session", done);
      done();
    });
  }

  /**
   * Save the result: `{disposition, answers: [{question_id, responses | text}], notes}`.
   * `then` is "continue" (take the next call) or "stop". A connected call is hung up first.
   */
  async submit(result, { then = "continue" } = {}) {
    if (this.session && this.session.state === "connected") {
      const callId = this.session.contact && this.session.contact.call_id;
      await this.hangUp();
      await this._wrapUp();
      result = { call_id: callId, ...result };
    }
    const saved = await this._request("POST", this._path("/result"), { ...result, then });
    this._took(saved.session);
    if (then === "stop") this.disconnect();
    return saved;
  }

  /** Save the result and take the next call. */
  saveAndContinue(result) {
    return this.submit(result, { then: "continue" });
  }

  /** Save the result and stop calling. */
  saveAndStop(result) {
    return this.submit(result, { then: "stop" });
  }

  // ---------------------------------------------------------------- drafts

  /** What was typed for a call of this session: `{disposition, answers, notes}` (404 if none). */
  draft(callId) {
    return this._request("GET", this._path(`/drafts/${callId}`));
  }

  /** Keep what was typed for a call until its result is saved (`sessionId`: this one). */
  saveDraft(callId, draft, sessionId = this.session && this.session.id) {
    return this._request("PUT", `/sessions/${sessionId}/drafts/${callId}`, draft);
  }

  /** The caller's drafts whose result is not saved yet (also of sessions that ended). */
  unsavedDrafts() {
    return this._request("GET", "/drafts");
  }

  /** Save the result of a call a session had, also after that session ended (a restart). */
  saveResultOf(sessionId, callId, result) {
    return this._request("POST", `/sessions/${sessionId}/result`, {
      ...result, call_id: callId, then: "continue",
    });
  }

  /** Stop calling without a result (a call in progress is hung up). */
  async leave() {
    const view = this._took(await this._request("DELETE", this._path()));
    this.disconnect();
    return view;
  }
}
