// Bid editor: confirmations, save status, and never losing what was typed. Works without it too.
(() => {
  const editor = document.getElementById("bid-editor");
  if (!editor) return;
  const text = editor.dataset;
  const state = {}; // section id -> {editedAt, sentAt}
  const now = () => performance.now();
  const sectionOf = (el) => (el && el.closest ? el.closest("[data-bid-section]") : null);
  const stateOf = (section) => (state[section.id] ??= { editedAt: 0, sentAt: 0 });

  const showStatus = (section, message, tone) => {
    const el = section && section.querySelector(".save-status");
    if (!el) return;
    el.textContent = message;
    el.className = `small save-status text-${tone}`;
  };

  // A section is dirty when it was edited after its last save was sent, or a save is still on its way.
  const isDirty = (section) => {
    const s = stateOf(section);
    return s.editedAt > s.sentAt || !!section.querySelector("form.htmx-request");
  };

  const noteEdit = (event) => {
    const section = sectionOf(event.target);
    if (!section || !event.target.form || !event.target.form.hasAttribute("hx-post")) return;
    stateOf(section).editedAt = now();
    showStatus(section, text.msgUnsaved, "secondary");
  };
  editor.addEventListener("input", noteEdit);
  editor.addEventListener("change", noteEdit);

  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const section = sectionOf(event.detail.elt);
    if (!section) return;
    stateOf(section).sentAt = now();
    showStatus(section, text.msgSaving, "secondary");
  });

  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const section = sectionOf(event.detail.elt);
    if (!section) return;
    const xhr = event.detail.xhr;
    // The session ended and the server sent the login page: go there instead of pasting it in.
    const asked = new URL(event.detail.requestConfig.path, window.location.href).pathname;
    if (xhr.responseURL && new URL(xhr.responseURL).pathname !== asked) {
      event.detail.shouldSwap = false;
      window.location.href = xhr.responseURL;
      return;
    }
    // Typed on while this save travelled: keep the screen, the next change saves again.
    const s = stateOf(section);
    if (xhr.status === 200 && s.editedAt > s.sentAt) {
      event.detail.shouldSwap = false;
      showStatus(section, text.msgUnsaved, "secondary");
    }
  });

  const failed = (event) => showStatus(sectionOf(event.detail.elt), text.msgFailed, "danger");
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:sendError", failed);

  // Buttons that ask first (submit, withdraw); submitting also saves pending drafts before it goes.
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!form.matches("form[data-confirm]") || form.hasAttribute("hx-post")) return;
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      if (!form.hasAttribute("data-flush-drafts")) return;
      const dirty = [...editor.querySelectorAll("[data-bid-section]")].filter(isDirty);
      if (!dirty.length) return;
      event.preventDefault();
      form.querySelectorAll("button").forEach((b) => (b.disabled = true));
      dirty.forEach((section) => {
        const sectionForm = section.querySelector("form[hx-post]");
        if (sectionForm && !sectionForm.classList.contains("htmx-request")) window.htmx.trigger(sectionForm, "submit");
        showStatus(section, text.msgFlushing, "secondary");
      });
      const started = now();
      const wait = () => {
        const sections = [...editor.querySelectorAll("[data-bid-section]")];
        const busy = sections.some((section) => section.querySelector("form.htmx-request"));
        if (busy && now() - started < 15000) return setTimeout(wait, 150);
        form.querySelectorAll("button").forEach((b) => (b.disabled = false));
        const invalid = editor.querySelector(".save-status.text-danger");
        if (invalid) {
          sectionOf(invalid).scrollIntoView({ block: "start" });
          return;
        }
        form.submit();
      };
      setTimeout(wait, 150);
    },
    true,
  );
})();
