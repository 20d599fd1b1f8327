//! Every message annex shows exists in Japanese and English; the reader's language picks one.

use std::fmt;

/// The language messages are shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    /// Japanese when the locale starts with `ja`: the first of `LC_ALL`, `LC_MESSAGES` and `LANG`
    /// that is set, else the system's own (Windows and a desktop's macOS set none of them; their
    /// locale is read from the system, by sys-locale).
    pub fn from_env() -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .or_else(sys_locale::get_locale)
            .unwrap_or_default();
        Lang::from_locale(&locale)
    }

    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("ja") {
            Lang::Ja
        } else {
            Lang::En
        }
    }
}

/// A message in both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Text {
    pub en: String,
    pub ja: String,
}

impl Text {
    /// Forgets the other language.
    pub fn keep_only(&mut self, lang: Lang) {
        match lang {
            Lang::En => self.ja = String::new(),
            Lang::Ja => self.en = String::new(),
        }
    }

    pub fn new(en: impl Into<String>, ja: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            ja: ja.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.en.is_empty() && self.ja.is_empty()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_locales_choose_japanese() {
        assert_eq!(Lang::from_locale("ja_JP.UTF-8"), Lang::Ja);
        assert_eq!(Lang::from_locale("JA"), Lang::Ja);
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }
}
