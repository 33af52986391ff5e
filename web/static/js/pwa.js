// Service worker registration and updates. A new version never traps anyone on the old one:
// when it has installed, a banner offers "Reload" (the worker then takes over and the page
// reloads once); if the person ignores it, the new version takes over at the next start.

let reloading = false;

function offerUpdate(worker) {
  const banner = document.getElementById("update-banner");
  const button = document.getElementById("update-now");
  if (!banner || !button) return;
  banner.hidden = false;
  button.onclick = null;
  button.addEventListener("click", () => {
    button.disabled = true;
    worker.postMessage({ type: "SKIP_WAITING" });
  }, { once: true });
}

export async function startPwa() {
  if (!("serviceWorker" in navigator)) return;
  const hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Only reload when an old worker was replaced, not on the very first install.
    if (reloading || !hadController) return;
    reloading = true;
    location.reload();
  });
  let registration;
  try {
    registration = await navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/", updateViaCache: "none" });
  } catch (error) {
    console.warn("offline support unavailable:", error);
    return;
  }
  // A version that finished installing while the app was closed: take it now, at start.
  if (registration.waiting && hadController) {
    registration.waiting.postMessage({ type: "SKIP_WAITING" });
    return;
  }
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    if (!worker) return;
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
    });
  });
  // Look for a new version now and then, and whenever the app comes back to the foreground.
  const check = () => registration.update().catch(() => {});
  setInterval(check, 30 * 60 * 1000);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") check(); });
}
