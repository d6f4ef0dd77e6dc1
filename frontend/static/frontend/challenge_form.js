// "Add another indicator": clones the empty row from its <template>. Without JS the page
// still offers two blank rows, and saving shows them again.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-add-row]").forEach((button) => {
    const prefix = button.dataset.addRow;
    const rows = document.querySelector(`[data-formset="${prefix}"]`);
    const template = document.getElementById("indicator-template");
    const total = document.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    const max = document.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`);
    if (!rows || !template || !total) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const index = Number(total.value);
      if (max && index >= Number(max.value)) return;
      const row = template.content.firstElementChild.cloneNode(true);
      row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach((el) => {
        ["name", "id", "for", "aria-describedby"].forEach((attr) => {
          if (el.hasAttribute(attr)) el.setAttribute(attr, el.getAttribute(attr).replaceAll("__prefix__", index));
        });
      });
      const number = row.querySelector("[data-row-number]");
      if (number) number.textContent = index + 1;
      rows.appendChild(row);
      total.value = index + 1;
      row.querySelector("input, select, textarea").focus();
    });
  });
});
