// Period keys as the API takes them: a month (2026-11), a quarter (2026-Q4) or a year (2026), in UTC.
export function currentPeriods(now = new Date()) {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  return [
    { key: `${year}-${String(month).padStart(2, '0')}`, label: 'This month' },
    { key: `${year}-Q${Math.ceil(month / 3)}`, label: 'This quarter' },
    { key: `${year}`, label: 'This year' },
  ];
}

/** The instants a period key covers in UTC, as the API counts them: { start, end } in milliseconds, end excluded; null for no period key. */
export function periodSpan(key) {
  const [, year, quarter, month] = /^(\d{4})(?:-Q([1-4])|-(\d{2}))?$/.exec(key) ?? [];
  if (!year) return null;
  const [first, months] = month ? [Number(month) - 1, 1] : quarter ? [(Number(quarter) - 1) * 3, 3] : [0, 12];
  return { start: Date.UTC(Number(year), first, 1), end: Date.UTC(Number(year), first + months, 1) };
}

/** The last `count` months, oldest first, ending with the current one (UTC): the trend chart's axis. */
export function recentMonths(count, now = new Date()) {
  const months = [];
  for (let back = count - 1; back >= 0; back--) {
    const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    months.push(`${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return months;
}
