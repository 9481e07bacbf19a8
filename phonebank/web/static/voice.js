// Browser audio for callers when the carrier is Twilio: the Voice SDK joins the caller's
// session room (a conference), where the dialer brings each contact who answers.
// The SDK ships with Phonebank (static/vendor, Apache-2.0): the page needs no CDN.
const SDK_URL = "/static/vendor/twilio-voice-2.18.5.min.js";

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.onload = resolve;
    script.onerror = () => reject(new Error("the audio library did not load"));
    document.head.append(script);
  });
}

async function fetchToken() {
  const response = await fetch("/telephony/twilio/token", { credentials: "same-origin" });
  if (!response.ok) throw new Error("no audio token: log in again");
  return (await response.json()).token;
}

/** Join the session's room with the browser's microphone; returns a function that leaves. */
export async function connectAudio(sessionId, onState) {
  if (document.body.dataset.voice !== "twilio") return () => {};
  if (!window.Twilio) await loadScript(SDK_URL);
  const device = new window.Twilio.Device(await fetchToken(), {
    codecPreferences: ["opus", "pcmu"],
    closeProtection: "Leaving ends your calling session's audio.",
  });
  device.on("tokenWillExpire", async () => device.updateToken(await fetchToken()));
  device.on("error", (error) => onState(`audio error: ${error.message}`));
  const call = await device.connect({ params: { session_id: sessionId } });
  call.on("accept", () => onState("audio on"));
  call.on("disconnect", () => onState("audio off"));
  return () => device.disconnectAll();
}
