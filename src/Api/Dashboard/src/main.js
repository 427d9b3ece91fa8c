import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { connectLive, GraphQLFailure, query, SignInRequired } from './graphql.js';
import { currentPeriods, periodSpan, recentMonths } from './periods.js';
import { claimsOf, dropToken, isExpired, keepToken, takeToken } from './session.js';
import './style.css';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const FIGURES = 'region period orderCount orderValue sellOutValue channelStockUnits quotaTarget quotaAchieved crossRegionAlerts updatedAt';
const SUMMARY_CHANGED = `subscription($region: String!, $period: String!) { channelSummaryChanged(region: $region, period: $period) { ${FIGURES} } }`;
const ORDER_CHANGED = 'subscription($dealerId: ID!) { orderChanged(dealerId: $dealerId) { id dealerId status total placedAt } }';
const DETAILS = `query($region: String!, $period: String!) {
  channelBreakdown(region: $region, period: $period) {
    summary { ${FIGURES} }
    children { region summary { quotaTarget quotaAchieved orderValue } }
    topDealers(first: 10) { dealerId region sellOutValue }
  }
  crossRegionAlerts(region: $region, first: 20) { dealerId dealerRegion storeRegion sku quantity at }
  demand(region: $region, weeks: 8, horizon: 4) { sku dealerStockUnits forecast { units } weeksOfCover }
  dealers(region: $region, first: 20) { edges { node { id orders(last: 3) { edges { node { id dealerId status total placedAt } } } } } }
}`;
const TREND_MONTHS = 13;
const TREND_FIGURES = 'period orderValue sellOutValue channelStockUnits updatedAt';
const trendQuery = months => `query($region: String!) {
${months.map((month, i) => `  m${i}: channelSummary(region: $region, period: "${month}") { ${TREND_FIGURES} }`).join('\n')}
}`;
const FEED_DEALERS = 20;
const FEED_LENGTH = 30;

const $ = id => document.getElementById(id);
const money = value => Number(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** A tile's amount: cents only while they matter, so a national figure fits its tile. */
const tileMoney = value => (Math.abs(Number(value)) >= 100000 ? Number(value).toLocaleString('en-US', { maximumFractionDigits: 0 }) : money(value));
const count = value => Number(value).toLocaleString('en-US');
const compact = value => Number(value).toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const time = value => new Date(value).toLocaleTimeString('en-GB');
const two = number => String(number).padStart(2, '0');
/** A past instant in the viewer's time zone, as 2026-11-30 17:05:09: year first reads the same in every locale. */
const dateTime = value => {
  const at = new Date(value);
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${time(at)}`;
};
const lastPart = region => region.slice(region.lastIndexOf('/') + 1);
const text = value => document.createTextNode(String(value ?? ''));

const state = { token: null, claims: null, region: null, period: null, live: null, summaryStop: null, trendStop: null, trend: new Map(), orderStops: new Map(), refusedFeeds: new Set(), children: [], feedPrimed: false, refreshing: null, again: false, refreshDue: null, lastRefresh: 0 };
let chart = null;
let trendChart = null;

start();

function start() {
  $('sign-in').addEventListener('click', () => {
    const token = $('token-input').value.trim();
    if (token) {
      keepToken(token);
      signIn(token);
    }
  });
  $('sign-out').addEventListener('click', () => signOut(null));
  $('period').addEventListener('change', event => navigate(state.region, event.target.value));
  // Back and Forward step through the views visited, in place: the connection and the page stay.
  window.addEventListener('popstate', () => {
    if (!state.token) return;
    const params = new URLSearchParams(location.search);
    navigate(params.get('region') || state.claims.region || 'CN', params.get('period') || currentPeriods()[0].key, 'replace');
  });
  window.addEventListener('resize', () => {
    chart?.resize();
    trendChart?.resize();
  });
  const token = takeToken();
  if (token) signIn(token);
  else signOut(null);
}

function signIn(token) {
  const claims = claimsOf(token);
  if (!claims) return signOut('That is not a token. Paste the whole JWT.');
  if (isExpired(claims)) return signOut('Your token has expired. Sign in again with a new token.');
  Object.assign(state, { token, claims });
  $('login').hidden = true;
  $('board').hidden = false;
  $('sign-out').hidden = false;
  $('who').textContent = `${claims.role ?? ''} ${claims.sub ?? ''} · ${claims.tenant ?? ''}`;

  const periods = currentPeriods();
  const params = new URLSearchParams(location.search);
  $('period').replaceChildren(...periods.map(p => new Option(`${p.label} (${p.key})`, p.key)));
  const period = params.get('period') || periods[0].key;

  state.live = connectLive(token, {
    onState: (live, reconnected) => {
      if (!state.token) return;
      setStatus(live);
      if (reconnected) {
        // Resubscribed, each order feed starts with the dealer's latest order only: the refresh's latest orders show
        // what else changed while offline.
        state.feedPrimed = false;
        refresh();
        loadTrend();
      }
    },
    onSignInRequired: () => signOut('Your token was refused (expired or invalid). Sign in again.'),
  });
  // An empty ?region= or region claim (a DEALER token carries region "") is no region: start at the claim's, else CN.
  navigate(params.get('region') || claims.region || 'CN', period, 'replace');
}

function signOut(reason) {
  stopSubscriptions();
  state.live?.dispose();
  clearTimeout(state.refreshDue);
  Object.assign(state, { token: null, claims: null, live: null, refreshDue: null });
  dropToken();
  setStatus('idle');
  $('board').hidden = true;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  $('login').hidden = false;
  $('login-reason').hidden = !reason;
  $('login-reason').textContent = reason ?? '';
}

function setStatus(live) {
  const labels = { idle: 'not connected', connecting: 'connecting…', online: 'live', offline: 'offline — reconnecting' };
  $('status').dataset.state = live;
  $('status').textContent = labels[live];
}

/**
 * Shows a region and period: re-subscribes the summary, reloads the details. A view the user goes to is a new history
 * entry ('push'); the first one, and one reached by Back or Forward, takes the current entry's place ('replace').
 */
function navigate(region, period, entry = 'push') {
  state.region = region;
  state.period = period;
  if (![...$('period').options].some(option => option.value === period)) $('period').append(new Option(period, period));
  $('period').value = period;
  const address = viewAddress(region, period);
  if (entry === 'push' && address !== location.pathname + location.search) history.pushState(null, '', address);
  else history.replaceState(null, '', address);
  renderCrumbs();
  showProblem(null);
  stopSubscriptions();
  clearFigures();
  state.feedPrimed = false;
  state.refusedFeeds = new Set();
  state.summaryStop = state.live.subscribe(SUMMARY_CHANGED, { region, period },
    data => {
      renderTiles(data.channelSummaryChanged);
      refresh();
    },
    failed);
  // The trend's current month follows its own summary; the past months are loaded once per region.
  const months = recentMonths(TREND_MONTHS);
  state.trendStop = state.live.subscribe(SUMMARY_CHANGED, { region, period: months.at(-1) }, data => trendPoint(data.channelSummaryChanged), failed);
  loadTrend();
}

/** The page's address for a region and period: what navigate puts in the address bar and region links point to. */
function viewAddress(region, period) {
  const url = new URL(location.href);
  url.searchParams.set('region', region);
  url.searchParams.set('period', period);
  return url.pathname + url.search;
}

/**
 * A link to a region in the period shown. A plain click (mouse or Enter) navigates in place, keeping the connection;
 * a modified one (new tab or window) follows the href, which opens the same view (a new tab may ask for the token first).
 */
function regionLink(region, label) {
  const link = document.createElement('a');
  link.href = viewAddress(region, state.period);
  link.dataset.region = region;
  link.append(text(label));
  link.addEventListener('click', event => {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(region, state.period);
  });
  return link;
}

/** The trend's months for the region shown: one query of aliased channelSummary fields. */
async function loadTrend() {
  if (!state.token) return;
  const region = state.region;
  const months = recentMonths(TREND_MONTHS);
  try {
    const data = await query(state.token, trendQuery(months), { region });
    if (region !== state.region) return;
    clearTransientProblem();
    months.forEach((_, i) => trendPoint(data[`m${i}`]));
  } catch (error) {
    failed(error);
  }
}

/** Keeps the newer of what the query and the subscription said about a month, and redraws. */
function trendPoint(summary) {
  const held = state.trend.get(summary.period);
  if (held && Date.parse(held.updatedAt) > Date.parse(summary.updatedAt)) return;
  state.trend.set(summary.period, summary);
  renderTrend();
}

function stopSubscriptions() {
  state.summaryStop?.();
  state.summaryStop = null;
  state.trendStop?.();
  state.trendStop = null;
  for (const stop of state.orderStops.values()) stop();
  state.orderStops.clear();
}

// The tiles follow every summary message (up to 20 a second); the details behind them (children, top dealers, alerts,
// demand) are read again at most this often, so that an open page under steady change does not query back to back.
const DETAILS_EVERY_MS = 500;

/** Reloads everything but the tiles; one run at a time, and once more if something changed meanwhile. */
async function refresh() {
  if (!state.token || state.refreshDue) return;
  if (state.refreshing) {
    state.again = true;
    return;
  }
  const wait = state.lastRefresh + DETAILS_EVERY_MS - Date.now();
  if (wait > 0) {
    state.refreshDue = setTimeout(() => {
      state.refreshDue = null;
      refresh();
    }, wait);
    return;
  }
  state.lastRefresh = Date.now();
  const { region, period } = state;
  state.refreshing = (async () => {
    try {
      const data = await query(state.token, DETAILS, { region, period });
      if (region !== state.region || period !== state.period) return;
      clearTransientProblem();
      renderTiles(data.channelBreakdown.summary);
      renderChildren(data.channelBreakdown.children);
      renderTopDealers(data.channelBreakdown.topDealers);
      renderAlerts(data.crossRegionAlerts);
      renderDemand(data.demand);
      if (!state.feedPrimed) primeFeed(data.dealers.edges.flatMap(e => e.node.orders.edges.map(o => o.node)));
      followOrders([...data.channelBreakdown.topDealers.map(d => d.dealerId), ...data.dealers.edges.map(e => e.node.id)]);
    } catch (error) {
      failed(error);
    }
  })();
  await state.refreshing;
  state.refreshing = null;
  if (state.again) {
    state.again = false;
    refresh();
  }
}

function failed(error) {
  if (error instanceof SignInRequired) return signOut('Your token was refused (expired or invalid). Sign in again.');
  if (error instanceof GraphQLFailure && error.code === 'FORBIDDEN') {
    stopSubscriptions();
    clearFigures();
    $('figures').hidden = true;
    showProblem(`Forbidden: your token may not see ${state.region}. `);
    const own = state.claims?.region;
    if (own && own !== state.region) $('problem').append(regionLink(own, `Go to ${own}`));
    return;
  }
  if (error instanceof GraphQLFailure) return showProblem(error.message);
  // Not an answer of the API (unreachable while it restarts, a proxy's 5xx page): shown until a query succeeds again.
  showProblem(error instanceof TypeError ? `Cannot reach the server (${error.message}); the page retries when the connection is back.` : String(error?.message ?? error));
  $('problem').dataset.transient = 'true';
}

function clearTransientProblem() {
  if ($('problem').dataset.transient) showProblem(null);
}

function showProblem(message) {
  delete $('problem').dataset.transient;
  $('problem').hidden = !message;
  $('problem').textContent = message ?? '';
  if (!message) $('figures').hidden = false;
}

function renderCrumbs() {
  const parts = state.region.split('/');
  const own = state.claims.role === 'ADMIN' ? '' : state.claims.region ?? '';
  $('crumbs').replaceChildren(...parts.map((part, i) => {
    const path = parts.slice(0, i + 1).join('/');
    const item = document.createElement('li');
    const reachable = !own || path === own || path.startsWith(`${own}/`);
    item.append(i === parts.length - 1 || !reachable ? text(part) : regionLink(path, part));
    return item;
  }));
}

function clearFigures() {
  $('tiles').replaceChildren();
  $('children').replaceChildren();
  for (const id of ['top-dealers', 'alerts', 'demand', 'trend-figures', 'quota-figures']) $(id).tBodies[0].replaceChildren();
  $('feed').replaceChildren(emptyItem('Waiting for orders…'));
  $('feed-scope').textContent = '';
  chart?.clear();
  trendChart?.clear();
  state.trend = new Map();
  delete $('trend-chart').dataset.points;
}

function renderTiles(summary) {
  const ratio = Number(summary.quotaTarget) > 0 ? Number(summary.quotaAchieved) / Number(summary.quotaTarget) : null;
  const tiles = [
    ['orderCount', 'Orders', '订单', count(summary.orderCount)],
    ['orderValue', 'Sell-in', '进货额', tileMoney(summary.orderValue)],
    ['sellOutValue', 'Sell-out', '销售额', tileMoney(summary.sellOutValue)],
    ['channelStockUnits', 'Channel stock (units)', '渠道库存', count(summary.channelStockUnits)],
    ['quotaTarget', 'Quota target', '指标', tileMoney(summary.quotaTarget)],
    ['quotaAchieved', 'Quota achieved', '达成', tileMoney(summary.quotaAchieved), ratio === null ? 'no target' : `${(ratio * 100).toFixed(1)}% of target`],
    ['crossRegionAlerts', 'Cross-region alerts', '串货', count(summary.crossRegionAlerts)],
  ];
  $('tiles').replaceChildren(...tiles.map(([name, label, chinese, value, note]) => {
    const tile = document.createElement('div');
    tile.className = 'tile';
    tile.dataset.figure = name;
    tile.title = chinese;
    const title = document.createElement('span');
    title.className = 'label';
    title.append(text(label));
    const figure = document.createElement('strong');
    figure.className = 'value';
    figure.append(text(value));
    tile.append(title, figure);
    if (note) {
      const small = document.createElement('span');
      small.className = 'note';
      small.append(text(note));
      tile.append(small);
    }
    return tile;
  }));
  const updated = Date.parse(summary.updatedAt);
  $('tiles').dataset.updated = updated > 0 ? `updated ${time(updated)}` : 'no data yet';
}

function renderChildren(children) {
  const names = children.map(c => lastPart(c.region));
  $('children').replaceChildren(...children.map((child, i) => {
    const item = document.createElement('li');
    item.append(regionLink(child.region, names[i]), text(` ${money(child.summary.quotaAchieved)} / ${money(child.summary.quotaTarget)}`));
    return item;
  }));
  const none = 'No child region has data in this period.';
  if (children.length === 0) $('children').replaceChildren(emptyItem(none));
  fillTable('quota-figures', children, ({ region, summary }) => [lastPart(region), money(summary.quotaTarget), money(summary.quotaAchieved), achievement(summary) || 'no target'], none);

  if (!chart) {
    chart = echarts.init($('quota-chart'));
    chart.on('click', params => {
      const child = state.children?.[params.dataIndex];
      if (child) navigate(child.region, state.period);
    });
  }
  state.children = children;
  chart.setOption({
    animation: false,
    grid: { left: 60, right: 50, top: 30, bottom: 30 },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: names },
    yAxis: { type: 'value' },
    series: [
      { name: 'Target', type: 'bar', barMaxWidth: 48, data: children.map(c => Number(c.summary.quotaTarget)), itemStyle: { color: '#c9d3e0' } },
      {
        name: 'Achieved', type: 'bar', barMaxWidth: 48, itemStyle: { color: '#2f6fdb' },
        data: children.map(c => Number(c.summary.quotaAchieved)),
        label: { show: true, position: 'top', formatter: ({ dataIndex }) => achievement(children[dataIndex].summary) },
      },
    ],
  }, true);
}

function renderTrend() {
  const months = recentMonths(TREND_MONTHS);
  const points = months.map(month => state.trend.get(month));
  const figure = name => points.map(p => (p ? Number(p[name]) : null));
  const labels = months.map((month, i) => (i === months.length - 1 ? `${month} so far` : month));
  if (!trendChart) trendChart = echarts.init($('trend-chart'));
  trendChart.setOption({
    animation: false,
    grid: { left: 60, right: 60, top: 40, bottom: 30 },
    legend: { top: 0 },
    tooltip: { trigger: 'axis', valueFormatter: value => (value === null ? '—' : count(value)) },
    xAxis: { type: 'category', data: labels },
    yAxis: [
      { type: 'value', name: 'value', axisLabel: { formatter: compact } },
      { type: 'value', name: 'stock units', axisLabel: { formatter: compact }, splitLine: { show: false } },
    ],
    series: [
      { name: 'Sell-in', type: 'bar', barMaxWidth: 22, data: figure('orderValue'), itemStyle: { color: '#2f6fdb' } },
      { name: 'Sell-out', type: 'bar', barMaxWidth: 22, data: figure('sellOutValue'), itemStyle: { color: '#1e8e4f' } },
      { name: 'Channel stock (units)', type: 'line', yAxisIndex: 1, data: figure('channelStockUnits'), itemStyle: { color: '#d98a1e' }, symbolSize: 6 },
    ],
  }, true);
  fillTable('trend-figures', labels.map((label, i) => ({ label, point: points[i] })),
    ({ label, point }) => (point ? [label, money(point.orderValue), money(point.sellOutValue), count(point.channelStockUnits)] : [label, '—', '—', '—']), 'No data yet.');
  const current = points.at(-1);
  Object.assign($('trend-chart').dataset, {
    points: String(points.filter(Boolean).length),
    currentMonth: months.at(-1),
    currentSellIn: String(current ? Number(current.orderValue) : 0),
    currentSellOut: String(current ? Number(current.sellOutValue) : 0),
  });
}

function achievement(summary) {
  return Number(summary.quotaTarget) > 0 ? `${((100 * Number(summary.quotaAchieved)) / Number(summary.quotaTarget)).toFixed(1)}%` : '';
}

function renderTopDealers(dealers) {
  fillTable('top-dealers', dealers, d => [d.dealerId, d.region, money(d.sellOutValue)], 'No sell-out in this period.');
}

function renderAlerts(alerts) {
  fillTable('alerts', alerts, a => [`${a.dealerId} (${a.dealerRegion})`, a.storeRegion, a.sku, count(a.quantity), dateTime(a.at)], 'No cross-region selling.');
}

function renderDemand(demand) {
  fillTable('demand', demand.slice(0, 12), d => [d.sku, count(d.dealerStockUnits), (d.forecast[0]?.units ?? 0).toFixed(1), d.weeksOfCover === null ? '—' : d.weeksOfCover.toFixed(1)], 'No demand data.');
}

function fillTable(id, rows, cells, empty) {
  const body = $(id).tBodies[0];
  const columns = $(id).tHead.rows[0].cells;
  if (rows.length === 0) {
    const row = body.insertRow();
    body.replaceChildren(row);
    const cell = row.insertCell();
    cell.colSpan = columns.length;
    cell.className = 'empty';
    cell.append(text(empty));
    return;
  }
  body.replaceChildren(...rows.map(data => {
    const row = document.createElement('tr');
    cells(data).forEach((value, i) => {
      const cell = row.insertCell();
      if (columns[i].classList.contains('num')) cell.className = 'num';
      cell.append(text(value));
    });
    return row;
  }));
}

/** The order feed: orderChanged for the top dealers shown plus the first dealers of the region listing (at most 20). */
function followOrders(dealerIds) {
  const wanted = [...new Set(dealerIds)].filter(id => !state.refusedFeeds.has(id)).slice(0, FEED_DEALERS);
  for (const [id, stop] of state.orderStops) {
    if (!wanted.includes(id)) {
      stop();
      state.orderStops.delete(id);
    }
  }
  for (const id of wanted) {
    if (state.orderStops.has(id)) continue;
    state.orderStops.set(id, state.live.subscribe(ORDER_CHANGED, { dealerId: id }, data => addOrder(data.orderChanged), error => orderFeedFailed(id, error)));
  }
  const followed = wanted.length ? `${wanted.length} dealer${wanted.length === 1 ? '' : 's'} followed` : 'no dealers in this region';
  $('feed-scope').textContent = `placed in ${state.period} · ${followed}`;
}

/**
 * One dealer's orderChanged refused (FORBIDDEN once it moved out of a manager's region, NOT_FOUND): that dealer leaves
 * the feed and the next refresh lists the region's dealers again; the rest of the page is not concerned.
 */
function orderFeedFailed(id, error) {
  if (!(error instanceof GraphQLFailure)) return failed(error);
  state.orderStops.get(id)?.();
  state.orderStops.delete(id);
  state.refusedFeeds.add(id);
  refresh();
}

/**
 * Starts the feed with the latest orders of the listed dealers, so it is not empty until the next order. The feed
 * knows only these: for a period that has ended where none of them was placed, it says so instead of waiting.
 */
function primeFeed(orders) {
  state.feedPrimed = true;
  orders.sort((a, b) => Date.parse(a.placedAt) - Date.parse(b.placedAt)).forEach(addOrder);
  if (!$('feed').querySelector('li[data-order]') && periodSpan(state.period)?.end <= Date.now())
    $('feed').replaceChildren(emptyItem(`None of the followed dealers' latest orders was placed in ${state.period}.`));
}

/** The feed shows the orders placed in the period shown, as the tiles and tables count them. */
function placedInPeriodShown(order) {
  const span = periodSpan(state.period);
  const at = Date.parse(order.placedAt);
  return span !== null && at >= span.start && at < span.end;
}

/**
 * Newest first; an order that changes status moves to the top with its new status. One shown already with the same
 * status stays where it is: each (re)subscription starts with the dealer's latest order, which is news only when it
 * was placed or moved while the feed was not listening.
 */
function addOrder(order) {
  if (!placedInPeriodShown(order)) return;
  const feed = $('feed');
  const shown = feed.querySelector(`li[data-order="${CSS.escape(order.id)}"]`);
  if (shown?.dataset.status === order.status) return;
  feed.querySelector('.empty')?.remove();
  shown?.remove();
  const item = document.createElement('li');
  item.dataset.order = order.id;
  item.dataset.status = order.status;
  const status = document.createElement('span');
  status.className = `badge ${order.status.toLowerCase()}`;
  status.append(text(order.status.replace('_', ' ')));
  const placed = document.createElement('time');
  placed.dateTime = placed.title = new Date(order.placedAt).toISOString();
  placed.append(text(dateTime(order.placedAt)));
  item.append(placed, text(` · ${order.dealerId} · ${order.id} `), status, text(` ${money(order.total)}`));
  feed.prepend(item);
  while (feed.children.length > FEED_LENGTH) feed.lastElementChild.remove();
}

function emptyItem(message) {
  const item = document.createElement('li');
  item.className = 'empty';
  item.append(text(message));
  return item;
}
