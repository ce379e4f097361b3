//! The pair's mini-program code (spec §4.3): WeChat's `wxa/getwxacodeunlimit` for the company's
//! app in live mode, else (dev mode, no app credentials, or any WeChat failure) a QR code made
//! locally that encodes the same page and parameters.

use image::{GrayImage, Luma};
use qrcode::{Color, EcLevel, QrCode};
use secrecy::SecretString;

use crate::config::WechatMode;
use crate::poster::Posters;
use crate::store::poster::PairInputs;

/// WeChat's limit on `scene`.
const MAX_SCENE: usize = 32;
/// Pixels per module and quiet-zone modules of a local QR code.
const MODULE_PX: u32 = 8;
const QUIET: u32 = 4;

/// Where a code image came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// WeChat's mini-program code.
    Wechat,
    /// A QR code made here.
    Local,
}

impl Source {
    /// The name recorded in the pair's state file.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Wechat => "wechat",
            Source::Local => "local",
        }
    }
}

/// The mini-program page a pair's code opens: the card (card app) or the home page (case app).
pub fn page(three_services_type: i16) -> &'static str {
    if three_services_type == 2 {
        "pages/index/index"
    } else {
        "pages/mingpian/index"
    }
}

/// The short `scene` WeChat carries to the page: `u=<uid>&p=<cid>`.
pub fn scene(uid: i64, cid: i64) -> String {
    format!("u={uid}&p={cid}")
}

/// What a local QR code encodes: the page path with the legacy parameters (spec §4.3).
pub fn local_target(three_services_type: i16, uid: i64, cid: i64) -> String {
    format!(
        "/{}?uid={uid}&source=1&pid={cid}",
        page(three_services_type)
    )
}

/// The pair's code image (PNG or JPEG bytes) and where it came from. WeChat errors are logged and
/// answered with a local QR code; only making that one can fail.
pub async fn pair_code(
    posters: &Posters,
    inputs: &PairInputs,
    uid: i64,
    cid: i64,
) -> anyhow::Result<(Vec<u8>, Source)> {
    if posters.wechat_mode == WechatMode::Live {
        match from_wechat(posters, inputs, uid, cid).await {
            Ok(bytes) => return Ok((bytes, Source::Wechat)),
            Err(e) => tracing::warn!(
                error = format!("{e:#}"),
                uid,
                cid,
                "mini-program code from WeChat failed; making a local QR code"
            ),
        }
    }
    let text = local_target(inputs.three_services_type, uid, cid);
    let png = super::worker::on_poster_thread(move || local_qr_png(&text)).await??;
    Ok((png, Source::Local))
}

async fn from_wechat(
    posters: &Posters,
    inputs: &PairInputs,
    uid: i64,
    cid: i64,
) -> anyhow::Result<Vec<u8>> {
    let appid = inputs.appid.as_deref().filter(|s| !s.is_empty());
    let secret = inputs.app_secret.as_deref().filter(|s| !s.is_empty());
    let (Some(appid), Some(secret)) = (appid, secret) else {
        anyhow::bail!("the company has no mini-program app credentials");
    };
    let scene = scene(uid, cid);
    anyhow::ensure!(scene.len() <= MAX_SCENE, "scene longer than {MAX_SCENE}");
    let secret = SecretString::from(secret.to_owned());
    let page = page(inputs.three_services_type);
    let bytes = posters
        .access_tokens
        .call(appid, &secret, |token| {
            let scene = &scene;
            async move {
                posters
                    .wechat
                    .get_wxacode_unlimit(&token, scene, page)
                    .await
            }
        })
        .await?;
    // The poster draws it: refuse what is not a PNG or JPEG we can decode.
    image::load_from_memory(&bytes)?;
    Ok(bytes)
}

/// A QR code of `text` as a black-on-white PNG with a quiet zone.
pub fn local_qr_png(text: &str) -> anyhow::Result<Vec<u8>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    let modules = u32::try_from(code.width())?;
    let side = (modules + 2 * QUIET) * MODULE_PX;
    let colors = code.to_colors();
    let img = GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / MODULE_PX, y / MODULE_PX);
        let inside =
            (QUIET..QUIET + modules).contains(&mx) && (QUIET..QUIET + modules).contains(&my);
        let dark = inside
            && colors.get(((my - QUIET) * modules + (mx - QUIET)) as usize) == Some(&Color::Dark);
        Luma([if dark { 0 } else { 255 }])
    });
    super::render::encode_png(&image::DynamicImage::ImageLuma8(img))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_and_case_apps_open_their_own_pages() {
        assert_eq!(page(1), "pages/mingpian/index");
        assert_eq!(page(2), "pages/index/index");
        assert_eq!(
            local_target(1, 7, 9),
            "/pages/mingpian/index?uid=7&source=1&pid=9"
        );
        assert_eq!(scene(7, 9), "u=7&p=9");
    }

    #[test]
    fn a_local_qr_code_is_a_square_png_with_a_white_quiet_zone() {
        let png = local_qr_png("/pages/mingpian/index?uid=1&source=1&pid=2").unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let img = image::load_from_memory(&png).unwrap().to_luma8();
        assert_eq!(img.width(), img.height());
        assert_eq!(img.get_pixel(0, 0).0, [255]);
        // The top-left finder pattern starts right after the quiet zone.
        let corner = QUIET * MODULE_PX;
        assert_eq!(img.get_pixel(corner, corner).0, [0]);
    }
}
