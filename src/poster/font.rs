//! The font posters are written in, found once per process among the system's fonts.
//!
//! A font that can draw Chinese is preferred (WenQuanYi, Noto Sans CJK, Droid Sans Fallback, as
//! Debian and other distributions install them); failing that a Latin font (DejaVu, Liberation)
//! draws what it can; failing that posters carry no text. Nothing is bundled: the poster must
//! render on any machine, and names in Chinese need a CJK font the operator installs
//! (`apt-get install fonts-wqy-microhei`; `scripts/serve.sh` tries to).

use std::sync::OnceLock;

use ab_glyph::{Font as _, FontVec};

/// Fonts that draw Chinese, best first (`.ttc` collections use their first face).
const CJK_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
];

/// Latin fonts, used when no CJK font is installed.
const LATIN_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
];

/// A loaded font and what it can do.
pub struct PosterFont {
    pub font: FontVec,
    /// The file it came from (part of a poster's fingerprint: installing a better font refreshes
    /// posters).
    pub path: &'static str,
    /// Whether it draws Chinese.
    pub cjk: bool,
}

impl PosterFont {
    /// Whether every non-space character of `text` has a glyph.
    pub fn covers(&self, text: &str) -> bool {
        text.chars()
            .filter(|c| !c.is_whitespace())
            .all(|c| self.font.glyph_id(c).0 != 0)
    }
}

/// The poster font, or `None` when the machine has none. Reads files on first use: call it off the
/// async workers (it runs inside the rendering's blocking task).
pub fn get() -> Option<&'static PosterFont> {
    static FONT: OnceLock<Option<PosterFont>> = OnceLock::new();
    FONT.get_or_init(find).as_ref()
}

fn find() -> Option<PosterFont> {
    let found = CJK_FONTS
        .iter()
        .filter_map(|p| load(p))
        .find(|f| f.cjk)
        .or_else(|| LATIN_FONTS.iter().find_map(|p| load(p)));
    match &found {
        Some(f) => tracing::info!(font = f.path, cjk = f.cjk, "poster font"),
        None => tracing::warn!("no poster font found: posters are drawn without text"),
    }
    found
}

fn load(path: &'static str) -> Option<PosterFont> {
    let data = std::fs::read(path).ok()?;
    let font = FontVec::try_from_vec_and_index(data, 0).ok()?;
    let cjk = font.glyph_id('名').0 != 0 && font.glyph_id('片').0 != 0;
    Some(PosterFont { font, path, cjk })
}
