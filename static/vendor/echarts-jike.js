// Jike CRM: draws the report charts with ECharts (vendored beside this
// file). Each chart is a <div class="report-chart" data-chart="{json}">
// filled in by the server; labels arrive translated. The canvas renderer
// and richText tooltips keep everything inside the strict CSP (no inline
// style attributes). The table under each chart carries the same figures.
(function () {
  'use strict';
  if (typeof echarts === 'undefined') { return; }
  var narrow = function () { return window.innerWidth < 600; };
  var fmt = function (money) {
    return function (v) {
      if (typeof v !== 'number') { return v; }
      return money ? v.toLocaleString(undefined, { minimumFractionDigits: 0, maximumFractionDigits: 0 }) : String(v);
    };
  };
  function option(spec) {
    var small = narrow();
    var base = {
      animation: false,
      tooltip: { trigger: spec.kind === 'pie' || spec.kind === 'funnel' ? 'item' : 'axis', renderMode: 'richText', confine: true },
      legend: { top: 0, type: 'scroll', textStyle: { fontSize: small ? 10 : 12 } },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true }
    };
    var f = fmt(spec.money);
    if (spec.kind === 'funnel') {
      base.series = [{
        type: 'funnel', sort: 'none', top: 36, bottom: 8, left: '10%', width: '80%', minSize: '20%',
        label: { show: true, position: 'inside', formatter: '{b}: {c}', fontSize: small ? 10 : 12 },
        data: spec.categories.map(function (c, i) { return { name: c, value: spec.series[0].data[i] }; })
      }];
      return base;
    }
    if (spec.kind === 'pie') {
      base.series = [{
        type: 'pie', radius: small ? ['25%', '55%'] : ['30%', '65%'], top: 24,
        label: { formatter: '{b}: {c}', fontSize: small ? 10 : 12 },
        data: spec.categories.map(function (c, i) { return { name: c, value: spec.series[0].data[i] }; })
      }];
      return base;
    }
    var cat = { type: 'category', data: spec.categories, axisLabel: { fontSize: small ? 9 : 11, hideOverlap: true, rotate: small && spec.kind !== 'hbar' ? 30 : 0 } };
    var val = { type: 'value', axisLabel: { formatter: f, fontSize: small ? 9 : 11 } };
    if (spec.kind === 'hbar') {
      base.xAxis = val; base.yAxis = Object.assign({ inverse: true }, cat);
    } else {
      base.xAxis = cat; base.yAxis = val;
    }
    base.series = spec.series.map(function (s) {
      return { name: s.name, type: s.type || (spec.kind === 'line' ? 'line' : 'bar'), data: s.data, stack: s.stack || undefined };
    });
    return base;
  }
  var charts = [];
  document.querySelectorAll('.report-chart[data-chart]').forEach(function (el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute('data-chart')); } catch (e) { return; }
    el.style.width = '100%';
    el.style.height = (narrow() ? 260 : 320) + 'px';
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(option(spec));
    if (spec.links && spec.links.length) {
      chart.on('click', function (p) {
        var href = spec.links[p.dataIndex];
        if (href && href.charAt(0) === '/') { window.location.href = href; }
      });
    }
    charts.push(chart);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
