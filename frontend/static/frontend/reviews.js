// Review pages: confirmations before irreversible buttons, and the score-distribution chart.
document.addEventListener("DOMContentLoaded", () => {
  // <button data-confirm="Question?">: ask first; without JavaScript the button simply submits.
  document.querySelectorAll("[data-confirm]").forEach((button) => button.addEventListener("click", (event) => {
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  }));

  const source = document.getElementById("score-data");
  const canvas = document.getElementById("score-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const rows = data.labels.length;
  // One row per bid, rank 1 on top: a strip of dots (reviewers' totals) and a bar (the score).
  canvas.parentElement.style.height = `${Math.max(220, rows * 56 + 90)}px`;
  const reviewers = [];
  data.totals.forEach((totals, row) => {
    // Equal totals would hide each other: stack repeats a little below and above the row's line.
    const seen = {};
    totals.forEach((total) => {
      const n = (seen[total] = (seen[total] ?? -1) + 1);
      reviewers.push({ x: total, y: row + (n % 2 ? 1 : -1) * Math.ceil(n / 2) * 0.12 });
    });
  });
  const scores = data.scores.map((score, row) => (score === null ? null : { x: score, y: row })).filter(Boolean);
  new Chart(canvas, {
    type: "scatter",
    data: {
      datasets: [
        { label: data.text.reviewer, data: reviewers, backgroundColor: "rgba(33, 90, 160, 0.65)", borderColor: "rgba(33, 90, 160, 0.9)", pointRadius: 6, pointHoverRadius: 8 },
        { label: data.text.score, data: scores, pointStyle: "line", rotation: 90, pointRadius: 16, pointHoverRadius: 18, borderWidth: 3, borderColor: "#b3261e", backgroundColor: "#b3261e" },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { min: 0, max: 100, title: { display: true, text: data.text.axis } },
        y: {
          reverse: true, min: -0.6, max: rows - 0.4,
          afterBuildTicks: (axis) => { axis.ticks = data.labels.map((_, row) => ({ value: row })); },
          ticks: { autoSkip: false, callback: (value) => data.labels[value] ?? "" },
          grid: { color: "rgba(0, 0, 0, 0.06)" },
        },
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            title: (items) => data.labels[Math.round(items[0].parsed.y)],
            label: (item) => `${item.dataset.label}: ${item.parsed.x}`,
          },
        },
      },
    },
  });
});
