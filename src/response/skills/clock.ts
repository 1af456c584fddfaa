// Time and date answers, read in the user's time zone (the process's unless one is given).

export function sayTime(now: Date, timeZone?: string): string {
  const s = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone }).format(now);
  return `It's ${s}.`;
}

export function sayDate(now: Date, timeZone?: string): string {
  const s = new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric', timeZone }).format(now);
  return `Today is ${s}.`;
}

export function sayWeekday(now: Date, timeZone?: string): string {
  return `It's ${new Intl.DateTimeFormat('en-US', { weekday: 'long', timeZone }).format(now)}.`;
}
