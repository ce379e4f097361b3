//! The signed, company-scoped request of the case app: who the customer is, and that the company
//! a request names is the customer's own (else `{code:404, msg:'非法请求'}`). `http::diary` starts
//! from it too.

use deadpool_postgres::Object;

use crate::auth::Family;
use crate::error::ApiError;
use crate::http::auth::verify;
use crate::http::params::{Params, Validator};
use crate::state::AppState;
use crate::store;

/// `{code:404, msg:'非法请求'}`: the request names a company that is not the customer's.
fn foreign_company() -> ApiError {
    ApiError::code(404, "非法请求")
}

/// A signed list request whose `company_id` is the customer's own company.
pub struct Scoped<T> {
    pub db: Object,
    pub customer: i64,
    pub company: i64,
    pub input: T,
}

/// Checks the signature, reads the required `company_id` and the endpoint's own fields with `read`
/// (errors → `{code:301, msg:'验证未通过', data:<errors>}`), then checks the company is the
/// customer's (else 404).
pub async fn scoped<T>(
    state: &AppState,
    p: &Params,
    read: impl FnOnce(&mut Validator<'_>) -> T,
) -> Result<Scoped<T>, ApiError> {
    let customer = verify(state, Family::Customer, p).await?;
    let mut v = p.validate();
    let company = v.int("company_id");
    let input = read(&mut v);
    v.finish().map_err(|e| e.in_data(301, "验证未通过"))?;
    let db = state.db.get().await?;
    if customer_company(state, &db, customer).await? != Some(company) {
        return Err(foreign_company());
    }
    Ok(Scoped {
        db,
        customer,
        company,
        input,
    })
}

/// The customer's company, cached once known. Only a binding (M2) moves a customer to another
/// company: this node's cache follows at once, other nodes within `auth.token_cache_secs`.
async fn customer_company(
    state: &AppState,
    db: &Object,
    customer: i64,
) -> Result<Option<i64>, ApiError> {
    if let Some(company) = state.customer_companies.get(&customer) {
        return Ok(Some(company));
    }
    let own = store::case::customer_company(db, customer).await?.flatten();
    if let Some(company) = own {
        state.customer_companies.put(customer, company);
    }
    Ok(own)
}

/// The company an action acts in: the customer's own; an optional `company_id` must name it.
/// `None` when the customer has no company yet (nothing is visible then).
pub async fn action_company(
    state: &AppState,
    db: &Object,
    customer: i64,
    requested: Option<i64>,
) -> Result<Option<i64>, ApiError> {
    let own = customer_company(state, db, customer).await?;
    match requested {
        Some(company) if own != Some(company) => Err(foreign_company()),
        _ => Ok(own),
    }
}
