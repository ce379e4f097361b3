//! The four legacy time formats (spec §0.3), all rendered in Asia/Shanghai (UTC+8, no DST since 1991).

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};

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
    t.with_timezone(&shanghai())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `YYYY-MM-DD`.
pub fn date(t: DateTime<Utc>) -> String {
    t.with_timezone(&shanghai()).format("%Y-%m-%d").to_string()
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

/// Parses an admin-entered `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD` as Shanghai local time.
pub fn parse_local(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
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
    fn local_inputs_parse_as_shanghai_time() {
        assert_eq!(
            datetime(parse_local("2019-01-02 03:04:05").unwrap()),
            "2019-01-02 03:04:05"
        );
        assert_eq!(date(parse_local("2019-01-02").unwrap()), "2019-01-02");
        assert!(parse_local("yesterday").is_none());
    }
}
