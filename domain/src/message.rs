//! A message for people, in the style of gettext: its English text is its identity.
//!
//! Rules speak English in the code, where a reader sees them; the API looks each message up in
//! its Indonesian catalogue (`api/locales/messages.yml`) when the caller prefers Bahasa Indonesia.
//! A message is built only with [`msg!`](crate::msg), whose template is a literal: so every
//! message the code can produce is visible in the source, and a test checks that each has its
//! translation. Arguments fill `%{name}` placeholders; they are numbers, codes and names of fields,
//! never a submitted value (values can be personal data, and error bodies end up in logs).

use std::borrow::Cow;
use std::fmt;

/// Boxed: errors carry messages, and a small error keeps every `Result` small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message(Box<Parts>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Parts {
    template: Cow<'static, str>,
    args: Vec<(&'static str, String)>,
    /// Placeholders filled by other messages, translated with this one.
    nested: Vec<(&'static str, Message)>,
    /// False for text that was written earlier and stored (an import's report): it is shown as
    /// it was written.
    translatable: bool,
}

impl Message {
    /// Use [`msg!`](crate::msg) instead: it keeps the template a literal.
    #[doc(hidden)]
    pub fn from_template(template: &'static str, args: Vec<(&'static str, String)>) -> Self {
        Self(Box::new(Parts {
            template: Cow::Borrowed(template),
            args,
            nested: Vec::new(),
            translatable: true,
        }))
    }

    /// Text rendered earlier and stored, shown as it is in every language.
    pub fn verbatim(text: String) -> Self {
        Self(Box::new(Parts {
            template: Cow::Owned(text),
            args: Vec::new(),
            nested: Vec::new(),
            translatable: false,
        }))
    }

    /// The English template, which is also the message's key in the catalogues.
    pub fn template(&self) -> &str {
        &self.0.template
    }

    /// The key to look up in a catalogue: the template, unless the text is verbatim.
    pub fn catalogue_key(&self) -> Option<&str> {
        self.0.translatable.then_some(&*self.0.template)
    }

    /// Fills placeholder `name` with another message, which is translated along with this one.
    pub fn with(mut self, name: &'static str, message: Message) -> Self {
        self.0.nested.push((name, message));
        self
    }

    /// The message in the language of `lookup`, which gives the translation of a catalogue key
    /// (`None` keeps the English template).
    pub fn translate(&self, lookup: &dyn Fn(&str) -> Option<String>) -> String {
        if !self.0.translatable {
            return self.0.template.to_string();
        }
        let template = lookup(&self.0.template).unwrap_or_else(|| self.0.template.to_string());
        let nested: Vec<(&'static str, String)> = self
            .0
            .nested
            .iter()
            .map(|(name, message)| (*name, message.translate(lookup)))
            .collect();
        self.render(&template, &nested)
    }

    /// `template` with every `%{name}` replaced by the argument of that name. A placeholder
    /// without an argument stays as written.
    fn render(&self, template: &str, nested: &[(&'static str, String)]) -> String {
        let mut text = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(start) = rest.find("%{") {
            text.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find('}') {
                Some(end) => {
                    let name = &after[..end];
                    match self
                        .0
                        .args
                        .iter()
                        .chain(nested)
                        .find(|(arg, _)| *arg == name)
                    {
                        Some((_, value)) => text.push_str(value),
                        None => text.push_str(&rest[start..start + 2 + end + 1]),
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    text.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        text.push_str(rest);
        text
    }

    /// The message in English.
    pub fn english(&self) -> String {
        self.translate(&|_| None)
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

/// A [`Message`] from an English template literal and its named arguments:
/// `msg!("must be at most %{max} characters", max = 200)`.
#[macro_export]
macro_rules! msg {
    ($template:literal) => {
        $crate::Message::from_template($template, ::std::vec::Vec::new())
    };
    ($template:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::Message::from_template(
            $template,
            ::std::vec![$((::std::stringify!($name), ::std::string::ToString::to_string(&$value))),+],
        )
    };
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    #[test]
    fn placeholders_take_their_arguments_by_name() {
        let message = msg!("must be %{min} to %{max} digits", max = 16, min = 13);
        assert_eq!(message.english(), "must be 13 to 16 digits");
        let indonesian = |key: &str| {
            (key == "must be %{min} to %{max} digits")
                .then(|| "harus %{min} sampai %{max} angka".into())
        };
        assert_eq!(message.translate(&indonesian), "harus 13 sampai 16 angka");
        assert_eq!(message.template(), "must be %{min} to %{max} digits");
    }

    #[test]
    fn a_placeholder_without_an_argument_and_an_unclosed_one_stay_as_written() {
        let message = msg!("a %{missing} b %{open", x = 1);
        assert_eq!(message.english(), "a %{missing} b %{open");
        assert_eq!(msg!("plain").english(), "plain");
        assert_eq!(msg!("").english(), "");
    }

    #[test]
    fn verbatim_text_is_shown_as_written_and_not_looked_up() {
        let stored = super::Message::verbatim("row 4: 100%{x} sure".into());
        assert_eq!(stored.english(), "row 4: 100%{x} sure");
        assert_eq!(stored.catalogue_key(), None);
        assert_eq!(msg!("a").catalogue_key(), Some("a"));
    }

    #[test]
    fn a_nested_message_is_translated_with_its_host() {
        let message = msg!("row %{row}: %{problem}", row = 4).with("problem", msg!("is required"));
        assert_eq!(message.english(), "row 4: is required");
        let indonesian = |key: &str| match key {
            "row %{row}: %{problem}" => Some("baris %{row}: %{problem}".to_owned()),
            "is required" => Some("wajib diisi".to_owned()),
            _ => None,
        };
        assert_eq!(message.translate(&indonesian), "baris 4: wajib diisi");
    }

    proptest! {
        #[test]
        fn a_translation_without_placeholders_is_used_as_it_is(text in "[^%]*") {
            let message = msg!("x", y = 1);
            prop_assert_eq!(message.translate(&|_| Some(text.clone())), text);
        }

        #[test]
        fn an_argument_is_inserted_verbatim(value in ".*") {
            let message = msg!("<%{v}>", v = value.clone());
            prop_assert_eq!(message.english(), format!("<{value}>"));
        }
    }
}
