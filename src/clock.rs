//! The time as the application sees it. Production reads the system clock; tests
//! move a manual clock to expire links and run retention without sleeping.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use time::OffsetDateTime;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// `None`: the system clock. `Some`: a manual clock, in Unix seconds.
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock that only moves when told to, starting at `start`.
    pub fn manual(start: OffsetDateTime) -> Self {
        Self {
            manual: Some(Arc::new(AtomicI64::new(start.unix_timestamp()))),
        }
    }

    /// Moves a manual clock forward; does nothing to the system clock.
    pub fn advance(&self, by: time::Duration) {
        if let Some(manual) = &self.manual {
            manual.fetch_add(by.whole_seconds(), Ordering::SeqCst);
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        match &self.manual {
            Some(manual) => OffsetDateTime::from_unix_timestamp(manual.load(Ordering::SeqCst))
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            None => OffsetDateTime::now_utc(),
        }
    }

    /// Unix seconds, as stored in the database.
    pub fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }
}

/// A moment in Paris time, the time the registrants read. The tz database is not
/// needed for this one zone: France follows the EU rule (UTC+1, and UTC+2 from the
/// last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC).
pub fn in_paris(moment: OffsetDateTime) -> OffsetDateTime {
    let utc = moment.to_offset(time::UtcOffset::UTC);
    let year = utc.year();
    let last_sunday = |month: time::Month| {
        let mut day = time::Date::from_calendar_date(year, month, 31)
            .expect("March and October have 31 days");
        while day.weekday() != time::Weekday::Sunday {
            day = day.previous_day().expect("in range");
        }
        day.with_hms(1, 0, 0).expect("valid").assume_utc()
    };
    let summer = utc >= last_sunday(time::Month::March) && utc < last_sunday(time::Month::October);
    let offset = time::UtcOffset::from_hms(if summer { 2 } else { 1 }, 0, 0).expect("valid offset");
    utc.to_offset(offset)
}

/// "28/11/2026 à 15 h 30", Paris time.
pub fn format_paris(unix: i64) -> String {
    let moment =
        in_paris(OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH));
    format!(
        "{:02}/{:02}/{} à {} h {:02}",
        moment.day(),
        u8::from(moment.month()),
        moment.year(),
        moment.hour(),
        moment.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn paris_time_follows_daylight_saving() {
        assert_eq!(in_paris(datetime!(2026-01-15 12:00 UTC)).hour(), 13);
        assert_eq!(in_paris(datetime!(2026-07-15 12:00 UTC)).hour(), 14);
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(in_paris(datetime!(2026-03-29 00:59 UTC)).hour(), 1);
        assert_eq!(in_paris(datetime!(2026-03-29 01:00 UTC)).hour(), 3);
        assert_eq!(in_paris(datetime!(2026-10-25 00:59 UTC)).hour(), 2);
        assert_eq!(in_paris(datetime!(2026-10-25 01:00 UTC)).hour(), 2);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = Clock::manual(datetime!(2026-11-28 10:00 UTC));
        let before = clock.unix();
        clock.advance(time::Duration::hours(2));
        assert_eq!(clock.unix() - before, 7200);
        assert_eq!(format_paris(clock.unix()), "28/11/2026 à 13 h 00");
    }
}
