//! `current_page` / `length` paging shared by every list (SQL LIMIT/OFFSET).

use crate::http::params::Validator;

/// Largest page a client may ask for; bigger `length`s are clamped.
pub const MAX_LENGTH: i64 = 100;

/// A page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// `None` = the whole list (`length=0` where the spec allows it).
    pub limit: Option<i64>,
    pub offset: i64,
}

impl Page {
    /// Reads `current_page` (default 1) and `length` (default `default_len`; 0 or less → the default
    /// unless `zero_means_all`; above `MAX_LENGTH` → clamped).
    pub fn read(v: &mut Validator<'_>, default_len: i64, zero_means_all: bool) -> Page {
        let page = v.opt_int("current_page").unwrap_or(1).max(1);
        let length = match v.opt_int("length") {
            Some(0) if zero_means_all => {
                return Page {
                    limit: None,
                    offset: 0,
                }
            }
            Some(n) if n > 0 => n.min(MAX_LENGTH),
            _ => default_len,
        };
        Page {
            limit: Some(length),
            offset: (page - 1).saturating_mul(length),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::params::Params;

    fn page(q: &str, zero_all: bool) -> Page {
        let p = Params::parse(q.as_bytes(), b"", false).unwrap();
        let mut v = p.validate();
        Page::read(&mut v, 20, zero_all)
    }

    #[test]
    fn pages_default_clamp_and_offset() {
        assert_eq!(
            page("", false),
            Page {
                limit: Some(20),
                offset: 0
            }
        );
        assert_eq!(
            page("current_page=3&length=10", false),
            Page {
                limit: Some(10),
                offset: 20
            }
        );
        assert_eq!(page("length=1000000000", false).limit, Some(MAX_LENGTH));
        assert_eq!(page("length=-1", false).limit, Some(20));
        assert_eq!(page("length=0", true).limit, None);
        assert_eq!(page("current_page=-5", false).offset, 0);
    }
}
