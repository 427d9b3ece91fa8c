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


/** The last `count` months, oldest first, ending with the current one (UTC): the trend chart's axis. */
export function recentMonths(count, now = new Date()) {
  const months = [];
  for (let back = count - 1; back >= 0; back--) {
    const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    months.push(`${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return months;
}
