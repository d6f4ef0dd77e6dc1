// The home page's charts: bids per challenge (agency staff) and challenges by state (operators).
// The data comes from json_script blocks; CSP forbids inline scripts.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.Chart) return;
  const read = (id) => {
    const source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  };
  const palette = ["#b3261e", "#adb5bd", "#198754", "#0d6efd", "#fd7e14", "#6f42c1", "#20c997", "#ffc107", "#6c757d", "#d63384", "#0dcaf0"];

  const bids = read("dashboard-bids-data");
  const bidsCanvas = document.getElementById("chart-bids");
  if (bids && bidsCanvas) {
    new window.Chart(bidsCanvas, {
      type: "bar",
      data: {
        labels: bids.labels,
        datasets: bids.series.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: palette[i] })),
      },
      options: {
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { title: { display: true, text: bids.title } },
      },
    });
  }

  const states = read("dashboard-states-data");
  const statesCanvas = document.getElementById("chart-states");
  if (states && statesCanvas) {
    new window.Chart(statesCanvas, {
      type: "doughnut",
      data: {
        labels: states.labels,
        datasets: states.series.map((s) => ({
          label: s.label,
          data: s.data,
          backgroundColor: s.data.map((_, i) => palette[i % palette.length]),
        })),
      },
      options: { maintainAspectRatio: false, plugins: { legend: { position: "right" } } },
    });
  }
});
