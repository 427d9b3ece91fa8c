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

