//! `GET /zhugeleida/xiaochengxu/mingpian/poster_html` (spec §5.9, unsigned per §2.3): the poster as
//! an HTML page — card owner, avatar, company and the pair's code. The original screenshotted it
//! with PhantomJS; posters are now drawn by `crate::poster`, and this page stays for clients that
//! open it. Every interpolated value is HTML-escaped (`v_htmlescape`), and image sources are
//! limited to `http(s)` URLs and the server's own `/statics` files.

use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{http::header, web, HttpResponse};
use v_htmlescape::escape;

use crate::error::ApiError;
use crate::http::params::Params;
use crate::state::AppState;
use crate::store;

/// What the page shows.
struct Page {
    name: String,
    position: String,
    company: String,
    avatar: String,
    code: Option<String>,
}

/// An image URL the page may load: `http(s)://…` as is, a relative `statics/…` path from the
/// site root; anything else (`javascript:`, `data:`, `../`) is dropped.
fn image_src(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let lower = raw.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        Some(raw.to_owned())
    } else if crate::poster::safe_relative(raw) {
        Some(format!("/{raw}"))
    } else {
        None
    }
}

fn html(page: &Page) -> String {
    let img = |src: &Option<String>, class: &str| match src {
        Some(src) => format!(r#"<img class="{class}" src="{}" alt="">"#, escape(src)),
        None => String::new(),
    };
    let avatar = img(&image_src(&page.avatar), "avatar");
    let code = img(&page.code.as_deref().and_then(image_src), "code");
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name}的名片</title>
<style>
body {{ margin: 0; font-family: "PingFang SC", "Microsoft YaHei", sans-serif; background: #f2f4f8; }}
.poster {{ width: 375px; margin: 0 auto; background: #fff; text-align: center; }}
.head {{ background: linear-gradient(#2463eb, #5892fc); color: #fff; padding: 32px 16px 24px; }}
.avatar {{ width: 88px; height: 88px; border-radius: 50%; border: 3px solid #fff; object-fit: cover; }}
.name {{ font-size: 26px; margin: 12px 0 4px; }}
.position {{ font-size: 15px; opacity: .9; }}
.company {{ font-size: 17px; color: #282828; padding: 20px 16px 8px; }}
.code {{ width: 160px; height: 160px; margin: 16px auto 8px; display: block; }}
.tip {{ font-size: 13px; color: #969696; padding-bottom: 24px; }}
</style>
</head>
<body>
<div class="poster">
<div class="head">{avatar}<div class="name">{name}</div><div class="position">{position}</div></div>
<div class="company">{company}</div>
{code}<div class="tip">长按识别小程序码，查看我的名片</div>
</div>
</body>
</html>
"#,
        name = escape(&page.name),
        position = escape(&page.position),
        company = escape(&page.company),
    )
}

/// GET /zhugeleida/xiaochengxu/mingpian/poster_html: spec §5.9 "HTML page used for poster
/// screenshots" (`user_id` = customer, `uid` = radar user; unsigned).
#[tracing::instrument(skip_all)]
pub async fn poster_html(state: web::Data<AppState>, p: Params) -> Result<HttpResponse, ApiError> {
    let mut v = p.validate();
    let cid = v.int("user_id");
    let uid = v.int("uid");
    v.finish().map_err(|e| e.in_msg(301))?;
    let db = state.db.get().await?;
    let owner = store::card::owner_for(&db, uid, cid)
        .await?
        .ok_or_else(|| ApiError::not_found("用户不存在"))?;
    let pair = store::card::pair_binding(&db, uid, cid).await?;
    let page = Page {
        name: owner.username.clone(),
        position: owner.position.clone(),
        company: owner.company.clone(),
        avatar: owner.card_avatar().to_owned(),
        // The pair's code, made on its first request when not yet (`lazy_pair_file`).
        code: pair.map(|(code, _)| code.unwrap_or_else(|| crate::poster::code_path(uid, cid))),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self' http: https:; style-src 'unsafe-inline'",
        ))
        .body(html(&page)))
}

/// The `/statics` fallback (`actix_files::Files::default_handler`): a pair's code or poster that is
/// not on disk yet is made now (once, however many ask at the same time) and served; anything else
/// missing answers 404 (the legacy envelope, from `http::legacy_error_bodies`).
pub async fn lazy_pair_file(req: ServiceRequest) -> Result<ServiceResponse, actix_web::Error> {
    let (req, _) = req.into_parts();
    let found = req
        .path()
        .strip_prefix('/')
        .and_then(crate::poster::pair_file);
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let (Some((kind, uid, cid)), Some(state)) = (found, state) else {
        return Ok(ServiceResponse::new(req, HttpResponse::NotFound().finish()));
    };
    let resp = match crate::poster::ensure_file(&state.posters, kind, uid, cid).await {
        Ok(Some(path)) => actix_files::NamedFile::open_async(path)
            .await?
            .into_response(&req),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(e) => {
            tracing::warn!(
                error = format!("{e:#}"),
                uid,
                cid,
                ?kind,
                "pair file failed"
            );
            HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, "5"))
                .finish()
        }
    };
    Ok(ServiceResponse::new(req, resp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_unsafe_image_sources_dropped() {
        let page = Page {
            name: "<script>alert(1)</script>".to_owned(),
            position: "\"经理\"".to_owned(),
            company: "A&B".to_owned(),
            avatar: "javascript:alert(1)".to_owned(),
            code: Some("statics/qr/a\"b.png".to_owned()),
        };
        let out = html(&page);
        assert!(!out.contains("<script>"));
        assert!(out.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
        assert!(out.contains("A&amp;B"));
        assert!(!out.contains("javascript:"));
        assert!(out.contains(r#"src="&#x2f;statics&#x2f;qr&#x2f;a&quot;b.png""#));
    }

    #[test]
    fn image_sources_are_urls_or_site_statics() {
        assert_eq!(
            image_src("statics/a.png").as_deref(),
            Some("/statics/a.png")
        );
        assert_eq!(
            image_src("https://wx.qlogo.cn/x").as_deref(),
            Some("https://wx.qlogo.cn/x")
        );
        assert_eq!(image_src("data:image/png;base64,AAA"), None);
        assert_eq!(image_src("statics/../../etc/passwd"), None);
    }
}
