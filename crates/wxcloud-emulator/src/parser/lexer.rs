//! Splits statement text into tokens, each with its line and column.
//!
//! There is no division in the statement language, so a `/` always starts a regular-expression
//! literal (or a `//` / `/* */` comment).

use super::ParseError;

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// An identifier or keyword (`db`, `const`, `new`, `true`, `_`, `$`, ...).
    Ident(String),
    /// A string literal, escapes resolved.
    Str(String),
    /// A number literal's value.
    Num(f64),
    /// A regular-expression literal: pattern and flags.
    Regex(String, String),
    /// A punctuation character: `. , : ; ( ) { } [ ] = - +`.
    Punct(char),
    /// The end of the text.
    End,
}

/// A token with the position of its first character (1-based).
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned {
    /// The token.
    pub tok: Tok,
    /// Line.
    pub line: u32,
    /// Column, in characters.
    pub column: u32,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: u32,
    column: u32,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_continue(c: char) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c.is_alphanumeric()
}

impl Lexer<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn error(&self, line: u32, column: u32, message: impl Into<String>) -> ParseError {
        ParseError {
            line,
            column,
            message: message.into(),
        }
    }

    /// Skips whitespace and comments. A `/` not followed by `/` or `*` is left in place.
    fn skip_trivia(&mut self) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() || c == '\u{feff}' => {
                    self.bump();
                }
                Some('/') => {
                    let mut ahead = self.chars.clone();
                    ahead.next();
                    match ahead.next() {
                        Some('/') => {
                            while self.peek().is_some_and(|c| c != '\n') {
                                self.bump();
                            }
                        }
                        Some('*') => {
                            let (line, column) = (self.line, self.column);
                            self.bump();
                            self.bump();
                            loop {
                                match self.bump() {
                                    None => {
                                        return Err(self.error(
                                            line,
                                            column,
                                            "unterminated comment",
                                        ));
                                    }
                                    Some('*') if self.peek() == Some('/') => {
                                        self.bump();
                                        break;
                                    }
                                    Some(_) => {}
                                }
                            }
                        }
                        _ => return Ok(()),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn next_token(&mut self) -> Result<Spanned, ParseError> {
        self.skip_trivia()?;
        let (line, column) = (self.line, self.column);
        let at = |tok| Ok(Spanned { tok, line, column });
        let Some(c) = self.peek() else {
            return at(Tok::End);
        };
        if is_ident_start(c) {
            let mut s = String::new();
            while let Some(c) = self.peek().filter(|c| is_ident_continue(*c)) {
                s.push(c);
                self.bump();
            }
            return at(Tok::Ident(s));
        }
        if c.is_ascii_digit()
            || (c == '.'
                && self
                    .chars
                    .clone()
                    .nth(1)
                    .is_some_and(|d| d.is_ascii_digit()))
        {
            return at(Tok::Num(self.number(line, column)?));
        }
        match c {
            '"' | '\'' => at(Tok::Str(self.string(c, line, column)?)),
            '/' => {
                let (pattern, flags) = self.regex(line, column)?;
                at(Tok::Regex(pattern, flags))
            }
            '.' | ',' | ':' | ';' | '(' | ')' | '{' | '}' | '[' | ']' | '=' | '-' | '+' => {
                self.bump();
                at(Tok::Punct(c))
            }
            other => Err(self.error(line, column, format!("unexpected character {other:?}"))),
        }
    }

    fn number(&mut self, line: u32, column: u32) -> Result<f64, ParseError> {
        let mut text = String::new();
        if self.peek() == Some('0') {
            let mut ahead = self.chars.clone();
            ahead.next();
            let radix = match ahead.next() {
                Some('x' | 'X') => 16,
                Some('o' | 'O') => 8,
                Some('b' | 'B') => 2,
                _ => 10,
            };
            if radix != 10 {
                self.bump();
                self.bump();
                while let Some(c) = self
                    .peek()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    if c != '_' {
                        text.push(c);
                    }
                    self.bump();
                }
                return u64::from_str_radix(&text, radix)
                    .map(|n| n as f64)
                    .map_err(|_| self.error(line, column, "invalid number"));
            }
        }
        while let Some(c) = self.peek() {
            let exponent_sign = (c == '+' || c == '-') && text.ends_with(['e', 'E']);
            if c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '_' || exponent_sign {
                if c != '_' {
                    text.push(c);
                }
                self.bump();
            } else {
                break;
            }
        }
        if self.peek().is_some_and(is_ident_start) {
            return Err(self.error(
                line,
                column,
                "an identifier cannot start right after a number",
            ));
        }
        text.parse::<f64>()
            .map_err(|_| self.error(line, column, format!("invalid number {text:?}")))
    }

    fn hex_digits(&mut self, n: usize, line: u32, column: u32) -> Result<u32, ParseError> {
        let mut v = 0u32;
        for _ in 0..n {
            let d = self
                .bump()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.error(line, column, "invalid escape"))?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    fn string(&mut self, quote: char, line: u32, column: u32) -> Result<String, ParseError> {
        self.bump();
        let mut s = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(self.error(line, column, "unterminated string"));
            };
            match c {
                c if c == quote => return Ok(s),
                '\n' => return Err(self.error(line, column, "unterminated string")),
                '\\' => {
                    let (el, ec) = (self.line, self.column);
                    match self.bump() {
                        None => return Err(self.error(line, column, "unterminated string")),
                        Some('n') => s.push('\n'),
                        Some('t') => s.push('\t'),
                        Some('r') => s.push('\r'),
                        Some('b') => s.push('\u{8}'),
                        Some('f') => s.push('\u{c}'),
                        Some('v') => s.push('\u{b}'),
                        Some('0') if !self.peek().is_some_and(|c| c.is_ascii_digit()) => {
                            s.push('\0')
                        }
                        Some('\n') => {}
                        Some('\r') => {
                            if self.peek() == Some('\n') {
                                self.bump();
                            }
                        }
                        Some('x') => {
                            let v = self.hex_digits(2, el, ec)?;
                            s.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                        }
                        Some('u') => s.push(self.unicode_escape(el, ec)?),
                        Some(c) if c.is_ascii_digit() => {
                            return Err(self.error(el, ec, "octal escapes are not allowed"));
                        }
                        Some(other) => s.push(other),
                    }
                }
                c => s.push(c),
            }
        }
    }

    /// `\uXXXX` (with surrogate pairs) or `\u{X..}`, after the `u`.
    fn unicode_escape(&mut self, line: u32, column: u32) -> Result<char, ParseError> {
        let code = if self.peek() == Some('{') {
            self.bump();
            let mut v = 0u32;
            let mut digits = 0;
            while let Some(d) = self.peek().and_then(|c| c.to_digit(16)) {
                self.bump();
                v = v.saturating_mul(16).saturating_add(d);
                digits += 1;
            }
            if digits == 0 || self.bump() != Some('}') || v > 0x10ffff {
                return Err(self.error(line, column, "invalid unicode escape"));
            }
            v
        } else {
            let hi = self.hex_digits(4, line, column)?;
            if (0xd800..0xdc00).contains(&hi) && self.peek() == Some('\\') {
                let mut ahead = self.chars.clone();
                ahead.next();
                if ahead.next() == Some('u') {
                    self.bump();
                    self.bump();
                    let lo = self.hex_digits(4, line, column)?;
                    if (0xdc00..0xe000).contains(&lo) {
                        return Ok(
                            char::from_u32(0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00))
                                .unwrap_or('\u{fffd}'),
                        );
                    }
                    return Ok('\u{fffd}');
                }
            }
            hi
        };
        Ok(char::from_u32(code).unwrap_or('\u{fffd}'))
    }

    fn regex(&mut self, line: u32, column: u32) -> Result<(String, String), ParseError> {
        self.bump();
        let mut pattern = String::new();
        let mut in_class = false;
        loop {
            match self.bump() {
                None | Some('\n') => {
                    return Err(self.error(line, column, "unterminated regular expression"));
                }
                Some('\\') => {
                    pattern.push('\\');
                    match self.bump() {
                        None | Some('\n') => {
                            return Err(self.error(
                                line,
                                column,
                                "unterminated regular expression",
                            ));
                        }
                        Some(c) => pattern.push(c),
                    }
                }
                Some('[') => {
                    in_class = true;
                    pattern.push('[');
                }
                Some(']') => {
                    in_class = false;
                    pattern.push(']');
                }
                Some('/') if !in_class => break,
                Some(c) => pattern.push(c),
            }
        }
        if pattern.is_empty() {
            return Err(self.error(line, column, "empty regular expression"));
        }
        let mut flags = String::new();
        while let Some(c) = self.peek().filter(|c| is_ident_continue(*c)) {
            if !"dgimsuyv".contains(c) || flags.contains(c) {
                return Err(self.error(
                    self.line,
                    self.column,
                    format!("invalid regular expression flag {c:?}"),
                ));
            }
            flags.push(c);
            self.bump();
        }
        Ok((pattern, flags))
    }
}

/// Every token of `text`, ending with [`Tok::End`].
pub fn tokenize(text: &str) -> Result<Vec<Spanned>, ParseError> {
    let mut lexer = Lexer {
        chars: text.chars().peekable(),
        line: 1,
        column: 1,
    };
    let mut out = Vec::new();
    loop {
        let t = lexer.next_token()?;
        let end = t.tok == Tok::End;
        out.push(t);
        if end {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn strings_resolve_escapes_in_both_quote_styles() {
        assert_eq!(
            toks(r#"'a\'b' "c\"d\u00e9\n""#)[..2],
            [Tok::Str("a'b".into()), Tok::Str("c\"dé\n".into())]
        );
    }

    #[test]
    fn regex_literals_keep_their_pattern_and_flags() {
        assert_eq!(
            toks(r"/a\/b[/]/gi")[0],
            Tok::Regex(r"a\/b[/]".into(), "gi".into())
        );
    }

    #[test]
    fn numbers_accept_fractions_exponents_and_hex() {
        assert_eq!(
            toks("1.5 2e3 0x1F .5")[..4],
            [
                Tok::Num(1.5),
                Tok::Num(2000.0),
                Tok::Num(31.0),
                Tok::Num(0.5)
            ]
        );
    }

    #[test]
    fn positions_count_lines_and_columns() {
        let t = tokenize("a\n  b").unwrap();
        assert_eq!((t[1].line, t[1].column), (2, 3));
    }

    #[test]
    fn an_unterminated_string_is_reported_where_it_starts() {
        let e = tokenize("x 'abc").unwrap_err();
        assert_eq!((e.line, e.column), (1, 3));
    }
}
