// Award pages: confirmations before irreversible steps, and the transparency charts.
document.addEventListener("DOMContentLoaded", () => {
  // <button data-confirm="question" data-confirm-if="value">: ask before submitting; with
  // data-confirm-if, only when the form's checked choice has that value (e.g. "uphold").
  document.querySelectorAll("button[data-confirm]").forEach((button) => {
    button.form.addEventListener("submit", (event) => {
      if (event.submitter !== button) return;
      const only = button.dataset.confirmIf;
      if (only && !button.form.querySelector(`input:checked[value="${only}"]`)) return;
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });

  const source = document.getElementById("transparency-data");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const lang = document.documentElement.lang || "en";
  const compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
  const full = new Intl.NumberFormat(lang, { style: "currency", currency: "CNY", maximumFractionDigits: 0 });
  const money = (horizontal) => ({
    [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { callback: (value) => compact.format(value) } },
  });
  const tooltip = { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${full.format(ctx.raw)}` } };
  const red = "#b3261e", green = "#198754";

  new window.Chart(document.getElementById("chart-fields"), {
    type: "bar",
    data: {
      labels: data.fields.labels,
      datasets: [{ label: data.labels.awarded, data: data.fields.awarded, backgroundColor: red }],
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      scales: money(true),
      plugins: { legend: { display: false }, tooltip },
    },
  });
  new window.Chart(document.getElementById("chart-years"), {
    type: "bar",
    data: {
      labels: data.years.labels,
      datasets: [
        { label: data.labels.awarded, data: data.years.awarded, backgroundColor: red },
        { label: data.labels.paid, data: data.years.paid, backgroundColor: green },
      ],
    },
    options: { maintainAspectRatio: false, scales: money(false), plugins: { tooltip } },
  });
});
