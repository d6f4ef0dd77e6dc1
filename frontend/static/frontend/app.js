// Progressive touches; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the first field with an error so keyboard and screen-reader users land on it.
  const invalid = document.querySelector(".is-invalid, [aria-invalid='true']");
  if (invalid) invalid.focus();
  // Submit the language form as soon as a language is picked.
  document.querySelectorAll("select[data-autosubmit]").forEach((el) => el.addEventListener("change", () => el.form.submit()));
  // Countdowns: <span class="countdown" data-deadline="ISO"> updates every second.
  const tick = () => document.querySelectorAll(".countdown[data-deadline]").forEach((el) => {
    const left = Math.max(0, new Date(el.dataset.deadline) - Date.now()) / 1000;
    const d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = Math.floor(left % 60);
    el.textContent = `${d}d ${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  });
  tick();
  setInterval(tick, 1000);
});
