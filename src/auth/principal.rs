//! The three principal families and the signature triple a client sends (spec §2.2).

/// Which table protects an endpoint family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// `/zhugeleida/xiaochengxu/*` → customers.
    Customer,
    /// `/zhugeleida/qiyeweixin/*` → radar users.
    Radar,
    /// `/zhugeleida/admin/*` → admin users.
    Admin,
}

impl Family {
    /// The principal kind in logs and metric labels: `customer`, `radar` or `admin`.
    pub fn label(self) -> &'static str {
        match self {
            Family::Customer => "customer",
            Family::Radar => "radar",
            Family::Admin => "admin",
        }
    }

    /// The statement reading a principal's token (none when it lost access; see sql/auth/).
    pub(super) fn token_sql(self) -> &'static str {
        match self {
            Family::Customer => crate::sql!("auth/customer_token"),
            Family::Radar => crate::sql!("auth/radar_user_token"),
            Family::Admin => crate::sql!("auth/admin_token"),
        }
    }
}

/// The triple as the client sent it (in a query string or a socket frame).
#[derive(Debug, Clone)]
pub struct SignedIds {
    pub user_id: i64,
    pub timestamp: String,
    pub rand_str: String,
}
