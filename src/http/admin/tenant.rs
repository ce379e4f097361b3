//! Who calls the admin API and which companies it may touch (spec §9, New tenancy rule).
//!
//! Role 1 (超级管理员) may act on any company; roles 2 and 3 only on their own. A request naming
//! another company, or an id of a record of another company, answers `{code:404, msg:'非法请求'}`.
//! Operations that name no company act on the caller's own. Every admin handler goes through
//! `Caller::signed` and then `target_company` (company-level operations) or `owns` (record ids).

use crate::auth::Family;
use crate::error::{ApiError, FormErrors};
use crate::http::auth::verify;
use crate::http::params::Params;
use crate::state::AppState;
use crate::store;

/// The role that may act on every company.
pub const SUPER_ADMIN: i64 = 1;

/// The signed admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub id: i64,
    pub company_id: i64,
    pub role_id: i64,
    /// The admin's login name (a radar user of the same company with this login is the caller).
    pub login_user: String,
}

/// `{code:301, msg:{company_id:['公司不存在']}}`: the named company does not exist or is deleted.
pub fn no_company() -> ApiError {
    FormErrors::single("company_id", "公司不存在", "invalid").in_msg(301)
}

/// `{code:404, msg:'非法请求'}`: the caller may not act there.
pub fn illegal() -> ApiError {
    ApiError::code(404, "非法请求")
}

impl Caller {
    /// Checks the admin signature and loads the caller's company and role. A disabled admin or one
    /// of a deleted company answers `token异常`, like an unknown one.
    pub async fn signed(state: &AppState, p: &Params) -> Result<Caller, ApiError> {
        let id = verify(state, Family::Admin, p).await?;
        let db = state.db.get().await?;
        let (company_id, role_id, login_user) = store::admin_account::caller(&db, id)
            .await?
            .ok_or(ApiError::BadSignature)?;
        Ok(Caller {
            id,
            company_id,
            role_id,
            login_user,
        })
    }

    /// Whether the caller is a super-admin.
    pub fn is_super(&self) -> bool {
        self.role_id == SUPER_ADMIN
    }

    /// Only super-admins pass.
    pub fn require_super(&self) -> Result<(), ApiError> {
        if self.is_super() {
            Ok(())
        } else {
            Err(illegal())
        }
    }

    /// Checks that the caller may act on `company` and returns it.
    pub fn may_act_on(&self, company: i64) -> Result<i64, ApiError> {
        if self.is_super() || company == self.company_id {
            Ok(company)
        } else {
            Err(illegal())
        }
    }

    /// Checks that the caller may act on `company` and that it exists and is not deleted (a
    /// super-admin may name any id): `{code:301, msg:{company_id:['公司不存在']}}` otherwise, as
    /// website save answers (spec §9.5), never a foreign-key error.
    pub async fn acts_on(&self, state: &AppState, company: i64) -> Result<i64, ApiError> {
        let company = self.may_act_on(company)?;
        // The caller's own company is live: a deleted company's admins have no token.
        if company != self.company_id {
            let db = state.db.get().await?;
            if !store::admin_company::exists(&db, company).await? {
                return Err(no_company());
            }
        }
        Ok(company)
    }

    /// The live company an operation targets: the request's `company_id` (checked, see
    /// `acts_on`), else the caller's.
    pub async fn target_company(&self, state: &AppState, p: &Params) -> Result<i64, ApiError> {
        let company = self.target_company_id(p)?;
        self.acts_on(state, company).await
    }

    /// For an operation on an existing record of company `record_company` (`None`: no such
    /// record, answered with `missing`): checks the request's `company_id`, if any, and the
    /// record's company, which must be live (see `acts_on`).
    pub async fn owns(
        &self,
        state: &AppState,
        p: &Params,
        record_company: Option<i64>,
        missing: impl FnOnce() -> ApiError,
    ) -> Result<i64, ApiError> {
        let company = self.owns_id(p, record_company, missing)?;
        self.acts_on(state, company).await
    }

    /// The company an operation targets by role alone: the request's `company_id`, else the
    /// caller's.
    fn target_company_id(&self, p: &Params) -> Result<i64, ApiError> {
        match p.get("company_id").map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(self.company_id),
            Some(raw) => {
                let id = raw.parse().map_err(|_| {
                    FormErrors::single("company_id", FormErrors::NOT_INT, "invalid").in_msg(301)
                })?;
                self.may_act_on(id)
            }
        }
    }

    /// `owns` by role alone.
    fn owns_id(
        &self,
        p: &Params,
        record_company: Option<i64>,
        missing: impl FnOnce() -> ApiError,
    ) -> Result<i64, ApiError> {
        self.target_company_id(p)?;
        self.may_act_on(record_company.ok_or_else(missing)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role_id: i64) -> Caller {
        Caller {
            id: 9,
            company_id: 1,
            role_id,
            login_user: "boss".to_owned(),
        }
    }

    fn params(q: &str) -> Params {
        Params::parse(q.as_bytes(), b"", false).unwrap()
    }

    #[test]
    fn company_admins_act_only_on_their_own_company() {
        let admin = caller(2);
        assert_eq!(admin.target_company_id(&params("")).unwrap(), 1);
        assert_eq!(admin.target_company_id(&params("company_id=1")).unwrap(), 1);
        let env = admin
            .target_company_id(&params("company_id=2"))
            .unwrap_err()
            .envelope();
        assert_eq!((env.code, env.msg.as_str()), (404, Some("非法请求")));
        assert!(admin.owns_id(&params(""), Some(2), illegal).is_err());
        assert!(admin.require_super().is_err());
    }

    #[test]
    fn super_admins_act_anywhere_and_bad_company_ids_are_validation_errors() {
        let root = caller(SUPER_ADMIN);
        assert_eq!(root.target_company_id(&params("company_id=2")).unwrap(), 2);
        assert_eq!(root.owns_id(&params(""), Some(5), illegal).unwrap(), 5);
        let missing = root.owns_id(&params(""), None, || ApiError::not_found("x"));
        assert_eq!(missing.unwrap_err().envelope().code, 302);
        let bad = root
            .target_company_id(&params("company_id=1e9"))
            .unwrap_err();
        assert_eq!(bad.envelope().code, 301);
    }
}
