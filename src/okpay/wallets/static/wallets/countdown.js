// The quote page's countdown: when it reaches zero the confirm button gives way to
// "get a new quote" (the server refuses an expired quote anyway).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-testid=countdown]");
  if (!box) return;
  const out = box.querySelector(".countdown-seconds");
  const end = Date.now() + Number(box.dataset.seconds || 0) * 1000;
  const tick = () => {
    const left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
    if (out) out.textContent = String(left);
    if (left > 0) { setTimeout(tick, 250); return; }
    box.textContent = box.dataset.expiredText || "";
    box.setAttribute("role", "alert");
    const confirm = document.querySelector("[data-testid=confirm]");
    if (confirm) confirm.closest("form").hidden = true;
    const renew = document.querySelector("form.renew");
    if (renew) renew.hidden = false;
  };
  tick();
});
