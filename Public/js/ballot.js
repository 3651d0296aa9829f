// Knapsack ballots: keeps the "chosen / remaining" line up to date while the voter ticks projects.
// Without JavaScript the same line is computed by the server after submitting.
(function () {
  var form = document.querySelector('form.ballot[data-type="knapsack"]');
  if (!form) return;
  var envelope = Number(form.getAttribute('data-envelope'));
  var unit = form.getAttribute('data-unit');
  var chosen = document.getElementById('chosen-total');
  var remaining = document.getElementById('remaining');
  var format = function (tyiyn) {
    var som = Math.floor(Math.abs(tyiyn) / 100);
    var text = String(som).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0') + ' ' + unit;
    return (tyiyn < 0 ? '−' : '') + text;
  };
  var update = function () {
    var total = 0;
    form.querySelectorAll('input[type=checkbox][data-cost]').forEach(function (box) {
      if (box.checked) total += Number(box.getAttribute('data-cost'));
    });
    chosen.textContent = format(total);
    remaining.textContent = format(envelope - total);
    remaining.className = total > envelope ? 'overdue' : '';
  };
  form.addEventListener('change', update);
})();
