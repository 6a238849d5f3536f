// Live updates (ADR 0044): a page with a region marked `data-live` fetches itself again every so often and
// swaps in that region's new content, without a full reload. Without JavaScript the page is complete and its
// Refresh link reloads it; this only saves the click.
//
// - It asks only while the tab is visible, and asks at once when the tab is shown again.
// - It never swaps the region while focus is inside it (someone about to press a button keeps their place);
//   the next round catches up.
// - A change of the region's summary is announced through a polite live region, never by moving focus.
// - When the session has ended (the page answers with the sign-in page) it stops and says so.
import { initAll } from "/assets/govuk-frontend.min.js";

const SHORTEST = 5;

function start(region) {
  const every = Math.max(SHORTEST, Number(region.dataset.live) || 20) * 1000;
  const status = document.querySelector("[data-live-status]");
  const note = document.querySelector("[data-live-note]");
  let timer = null;
  let busy = false;
  let stopped = false;

  if (note) note.hidden = false;

  const say = (text) => {
    if (status) status.textContent = text;
  };

  const later = () => {
    clearTimeout(timer);
    if (!stopped && !document.hidden) timer = setTimeout(refresh, every);
  };

  const stop = (text) => {
    stopped = true;
    clearTimeout(timer);
    if (note) note.textContent = "· " + text;
    say(text);
  };

  async function refresh() {
    if (busy || stopped) return;
    busy = true;
    try {
      const response = await fetch(window.location.href, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "text/html" },
      });
      if (response.redirected || !response.ok) {
        stop("live updates have stopped: refresh the page (you may need to sign in again)");
        return;
      }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.querySelector("[data-live]");
      if (!fresh) {
        stop("live updates have stopped: refresh the page");
        return;
      }
      swap(region, fresh);
    } catch {
      say("Could not reach Watchkeeper to update this page; trying again shortly.");
    } finally {
      busy = false;
      region.dataset.liveRounds = String(Number(region.dataset.liveRounds || 0) + 1);  // for tests to wait on
      later();
    }
  }

  // The region's markup without its "as of" times: when only those differ, only they are updated, so that a
  // screen reader's place in an unchanged list is not lost every 20 seconds.
  const markup = (element) => {
    const copy = element.cloneNode(true);
    copy.querySelectorAll("[data-live-time]").forEach((node) => node.replaceChildren());
    return copy.innerHTML;
  };
  let shown = null;

  function swap(target, fresh) {
    const focused = document.activeElement;
    if (focused && focused !== document.body && target.contains(focused)) return;
    const incoming = markup(fresh);
    if (incoming === shown) {
      const times = fresh.querySelectorAll("[data-live-time]");
      target.querySelectorAll("[data-live-time]").forEach((node, n) => {
        if (times[n]) node.textContent = times[n].textContent;
      });
      return;
    }
    const before = target.dataset.liveSummary;
    target.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
    target.dataset.liveSummary = fresh.dataset.liveSummary || "";
    shown = incoming;
    initAll(target);
    if (before !== target.dataset.liveSummary) say("Updated: " + target.dataset.liveSummary + ".");
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) clearTimeout(timer);
    else refresh();
  });
  later();
}

const region = document.querySelector("[data-live]");
if (region) start(region);
