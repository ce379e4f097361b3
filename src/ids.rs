//! Typed ids of the two sides of a conversation. Chat and storage take a radar user and a
//! customer side by side in dozens of places; as bare `i64`s a swapped pair compiles and writes to
//! the wrong conversation, as `RadarUserId` and `CustomerId` it does not.
//!
//! Each is the `i64` it wraps on every boundary: bound as `bigint` in SQL (`ToSql`/`FromSql`
//! delegate to `i64`, so statements are unchanged), a bare number in JSON and on the bus
//! (`#[serde(transparent)]`), and the number itself when displayed.

use std::error::Error;
use std::fmt;

use actix_web::web::BytesMut;
use serde::{Deserialize, Serialize};
use tokio_postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ToSql for $name {
            fn to_sql(
                &self,
                ty: &Type,
                out: &mut BytesMut,
            ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
                self.0.to_sql(ty, out)
            }

            fn accepts(ty: &Type) -> bool {
                <i64 as ToSql>::accepts(ty)
            }

            to_sql_checked!();
        }

        impl<'a> FromSql<'a> for $name {
            fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
                i64::from_sql(ty, raw).map($name)
            }

            fn accepts(ty: &Type) -> bool {
                <i64 as FromSql>::accepts(ty)
            }
        }
    };
}

id_type!(
    /// A radar user (`radar_users.id`): the company's staff member who owns the card.
    RadarUserId
);
id_type!(
    /// A mini-program customer (`customers.id`).
    CustomerId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_bare_numbers_in_json_and_text() {
        assert_eq!(serde_json::to_string(&CustomerId(7)).unwrap(), "7");
        let back: RadarUserId = serde_json::from_str("42").unwrap();
        assert_eq!(back, RadarUserId(42));
        assert_eq!(format!("{}", RadarUserId(42)), "42");
    }

    #[test]
    fn ids_bind_as_bigint_only() {
        assert!(<CustomerId as ToSql>::accepts(&Type::INT8));
        assert!(!<CustomerId as ToSql>::accepts(&Type::TEXT));
        let mut out = BytesMut::new();
        CustomerId(5).to_sql(&Type::INT8, &mut out).unwrap();
        let back = RadarUserId::from_sql(&Type::INT8, &out).unwrap();
        assert_eq!(back, RadarUserId(5));
    }
}
