//! The four legacy time formats (spec §0.3), all rendered in Asia/Shanghai (UTC+8, no DST since 1991),
//! and the business day: "today" and day boundaries are Shanghai days, in Rust and in SQL (every
//! pooled connection runs with `TimeZone = 'Asia/Shanghai'`, see `store::pool`).

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, Timelike, Utc};

/// The business time zone, as PostgreSQL names it.
pub const ZONE: &str = "Asia/Shanghai";

fn shanghai() -> FixedOffset {
    #[allow(clippy::unwrap_used)]
    FixedOffset::east_opt(8 * 3600).unwrap() // unwrap: 8 hours is a valid offset
}

/// Django's JSON encoder: `2018-06-13T11:49:57.456`, milliseconds only when non-zero.
pub fn iso(t: DateTime<Utc>) -> String {
    let l = t.with_timezone(&shanghai());
    let ms = l.nanosecond() / 1_000_000;
    if l.nanosecond() == 0 {
        l.format("%Y-%m-%dT%H:%M:%S").to_string()
    } else {
        // Django keeps the first 3 digits of the microseconds whenever they are non-zero.
        format!("{}.{:03}", l.format("%Y-%m-%dT%H:%M:%S"), ms)
    }
}

/// `YYYY-MM-DD HH:MM:SS` (socket pushes, case/diary/comment endpoints).
pub fn datetime(t: DateTime<Utc>) -> String {
    datetime_shown(t).as_str().to_owned()
}

/// `YYYY-MM-DD`.
pub fn date(t: DateTime<Utc>) -> String {
    date_shown(t).as_str().to_owned()
}

/// A date in one of the legacy formats, written into a fixed buffer by hand: list pages write
/// ~60 dates each, and chrono's `format` parses its strftime pattern again for every one of them
/// (3.5 % of radar's CPU on M27, load-tests/RESULTS.md). Years outside 0..=9999, which chrono
/// writes with a sign, go through chrono (`tests::hand_formatting_matches_chrono`).
#[derive(Clone, Copy)]
pub struct Shown {
    buf: [u8; 32],
    len: u8,
}

impl Shown {
    /// `%Y-%m-%d` (`with_time` false) or `%Y-%m-%d %H:%M:%S` of `t` in Shanghai time.
    fn of(t: DateTime<Utc>, with_time: bool) -> Shown {
        let l = t.with_timezone(&shanghai());
        let mut out = Shown {
            buf: [0; 32],
            len: 0,
        };
        if !(0..=9999).contains(&l.year()) {
            let pattern = if with_time {
                "%Y-%m-%d %H:%M:%S"
            } else {
                "%Y-%m-%d"
            };
            // The buffer holds any chrono date (at most 17 + 11 bytes); a failure leaves it short.
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("{}", l.format(pattern)));
            return out;
        }
        // `year` is 0..=9999 (checked above), the other fields are in range by construction.
        let year = l.year() as u32;
        out.digits(year, 4);
        out.push(b'-');
        out.digits(l.month(), 2);
        out.push(b'-');
        out.digits(l.day(), 2);
        if with_time {
            out.push(b' ');
            out.digits(l.hour(), 2);
            out.push(b':');
            out.digits(l.minute(), 2);
            out.push(b':');
            out.digits(l.second(), 2);
        }
        out
    }

    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(usize::from(self.len)) {
            *slot = b;
            self.len += 1;
        }
    }

    /// `n` zero-padded to `width` digits.
    fn digits(&mut self, n: u32, width: u32) {
        for i in (0..width).rev() {
            // A single decimal digit: the cast cannot truncate.
            self.push(b'0' + (n / 10_u32.pow(i) % 10) as u8);
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits and separators, or chrono's (UTF-8) output, were written.
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl std::fmt::Write for Shown {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = usize::from(self.len) + s.len();
        let slot = self
            .buf
            .get_mut(usize::from(self.len)..end)
            .ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end as u8; // end <= 32
        Ok(())
    }
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Shown {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// [`datetime`] without a `String`.
pub fn datetime_shown(t: DateTime<Utc>) -> Shown {
    Shown::of(t, true)
}

/// [`date`] without a `String`.
pub fn date_shown(t: DateTime<Utc>) -> Shown {
    Shown::of(t, false)
}

/// Optional variants answer `''` for null.
pub fn datetime_or_empty(t: Option<DateTime<Utc>>) -> String {
    t.map(datetime).unwrap_or_default()
}

/// Contact-list `dateTime`: other year → `YYYY`; yesterday → `昨天`; today → `HH:MM`; else `MM-DD`.
/// Compares calendar dates (the original compared only the day of month).
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let (l, n) = (t.with_timezone(&shanghai()), now.with_timezone(&shanghai()));
    if l.year() != n.year() {
        return l.format("%Y").to_string();
    }
    let (day, today) = (l.date_naive(), n.date_naive());
    if day == today {
        l.format("%H:%M").to_string()
    } else if today.pred_opt() == Some(day) {
        "昨天".to_owned()
    } else {
        l.format("%m-%d").to_string()
    }
}

/// The Shanghai calendar date of `t`: at 01:00 in Shanghai (17:00 UTC) it is already tomorrow.
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&shanghai()).date_naive()
}

/// The instant Shanghai's day `d` begins (`None` only for dates chrono cannot represent).
pub fn local_midnight(d: NaiveDate) -> Option<DateTime<Utc>> {
    d.and_hms_opt(0, 0, 0)?
        .and_local_timezone(shanghai())
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// A service period of `months` calendar months starting on the Shanghai day of `now`:
/// (that day's midnight, the midnight `months` later), as a company's `charging_start_time` and
/// `account_expired_time`.
pub fn service_period(now: DateTime<Utc>, months: u32) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = local_date(now);
    let end = start.checked_add_months(Months::new(months))?;
    Some((local_midnight(start)?, local_midnight(end)?))
}

/// Parses an admin-entered `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD` as Shanghai local time, in the
/// years 1 to 9999 (Django's range). chrono reads years down to -262143, and PostgreSQL refuses a
/// timestamptz before 4713 BC with an error, not an empty result.
pub fn parse_local(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .filter(|t| (1..=9999).contains(&t.year()))?;
    naive
        .and_local_timezone(shanghai())
        .single()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> DateTime<Utc> {
        shanghai()
            .with_ymd_and_hms(y, mo, d, h, mi, s)
            .unwrap()
            .with_timezone(&Utc)
            + chrono::Duration::milliseconds(ms as i64)
    }

    #[test]
    fn iso_shows_milliseconds_only_when_present() {
        assert_eq!(
            iso(at(2018, 6, 13, 11, 49, 57, 456)),
            "2018-06-13T11:49:57.456"
        );
        assert_eq!(iso(at(2018, 6, 7, 19, 47, 43, 0)), "2018-06-07T19:47:43");
    }

    #[test]
    fn other_formats_render_in_shanghai_time() {
        let t = at(2018, 11, 7, 19, 41, 14, 0);
        assert_eq!(datetime(t), "2018-11-07 19:41:14");
        assert_eq!(date(at(2018, 7, 21, 0, 30, 0, 0)), "2018-07-21");
    }

    #[test]
    fn hand_formatting_matches_chrono() {
        let chrono_fmt =
            |t: DateTime<Utc>, p: &str| t.with_timezone(&shanghai()).format(p).to_string();
        let mut samples: Vec<DateTime<Utc>> = vec![
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            Utc.with_ymd_and_hms(-1, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 15, 59, 59).unwrap(), // Shanghai: 23:59:59
            Utc.with_ymd_and_hms(9999, 12, 31, 16, 0, 0).unwrap(),   // Shanghai: year 10000
            at(2018, 11, 7, 19, 41, 14, 999),
        ];
        // Every hour of a leap year.
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        samples.extend((0..366 * 24).map(|h| start + chrono::Duration::hours(h)));
        // Every 8.1 days from year 1 to year 8,000, at shifting times of day.
        samples.extend(
            (0..360_000_i64).map(|i| Utc.timestamp_opt(-62_100_000_000 + i * 700_001, 0).unwrap()),
        );
        for t in samples {
            assert_eq!(datetime(t), chrono_fmt(t, "%Y-%m-%d %H:%M:%S"), "{t:?}");
            assert_eq!(date(t), chrono_fmt(t, "%Y-%m-%d"), "{t:?}");
            assert_eq!(datetime_shown(t).to_string(), datetime(t));
        }
    }

    #[test]
    fn relative_dates_compare_calendar_days() {
        let now = at(2026, 3, 1, 10, 0, 0, 0);
        assert_eq!(relative(at(2026, 3, 1, 8, 5, 0, 0), now), "08:05");
        assert_eq!(relative(at(2026, 2, 28, 23, 0, 0, 0), now), "昨天");
        assert_eq!(relative(at(2026, 1, 1, 9, 0, 0, 0), now), "01-01");
        assert_eq!(relative(at(2025, 12, 31, 9, 0, 0, 0), now), "2025");
        // Same day of month, another month: not "today".
        assert_eq!(relative(at(2026, 2, 1, 9, 0, 0, 0), now), "02-01");
    }

    #[test]
    fn one_in_the_morning_in_shanghai_is_already_the_next_day() {
        // 2026-03-01 01:00 in Shanghai is 2026-02-28 17:00 UTC.
        let now = Utc.with_ymd_and_hms(2026, 2, 28, 17, 0, 0).unwrap();

        let (start, end) = service_period(now, 12).unwrap();

        assert_eq!(
            local_date(now),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert_eq!(datetime(start), "2026-03-01 00:00:00");
        assert_eq!(datetime(end), "2027-03-01 00:00:00");
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 2, 28, 16, 0, 0).unwrap());
    }

    #[test]
    fn a_period_ends_on_the_same_day_of_the_month_or_the_last_one() {
        let jan31 = at(2026, 1, 31, 9, 0, 0, 0);

        let (_, end) = service_period(jan31, 1).unwrap();

        assert_eq!(datetime(end), "2026-02-28 00:00:00");
    }

    #[test]
    fn local_inputs_parse_as_shanghai_time() {
        assert_eq!(
            datetime(parse_local("2019-01-02 03:04:05").unwrap()),
            "2019-01-02 03:04:05"
        );
        assert_eq!(date(parse_local("2019-01-02").unwrap()), "2019-01-02");
        assert!(parse_local("yesterday").is_none());
        assert!(parse_local("-4714-01-01").is_none());
        assert!(parse_local("0000-12-31 23:59:59").is_none());
        assert!(parse_local("0001-01-01").is_some());
    }
}
