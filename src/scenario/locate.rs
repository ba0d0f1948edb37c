//! Finds where a field path sits in RON source text.
//!
//! Semantic errors (an unknown node name, s ≥ S) are found after parsing,
//! when serde's positions are gone. This module re-reads the text with a
//! small, tolerant scanner that records the line and column of every struct
//! field and list element under its path (`lanes[2].to`,
//! `strategies[0].replenishment.reorder_point`), so those errors can still
//! point at the spot. Enum variant names are not part of a path. The scanner
//! stops quietly at anything it does not understand or nested deeper than
//! [`super::parse::MAX_NESTING`] (it recurses, so the depth bounds its
//! stack); paths seen before that point are still found. It records where
//! each path's value ends too, so an error at a group's closing bracket
//! (a missing field) can name the group ([`group_at`]).

/// A 1-based line and column.
pub type Position = (usize, usize);

struct Scanner {
    chars: Vec<char>,
    at: usize,
    line: usize,
    col: usize,
    depth: usize,
    /// Path, start, end (`None` until its value is fully scanned).
    found: Vec<(String, Position, Option<Position>)>,
}

fn scan(src: &str) -> Vec<(String, Position, Option<Position>)> {
    let mut s = Scanner { chars: src.chars().collect(), at: 0, line: 1, col: 1, depth: 0, found: Vec::new() };
    s.value("");
    s.found
}

/// Every path in `src` with its position, in text order.
pub fn paths(src: &str) -> Vec<(String, Position)> {
    scan(src).into_iter().map(|(path, start, _)| (path, start)).collect()
}

/// The innermost path whose value spans `position` (a group that has it
/// between its brackets, the closing one included), or `None` at the top
/// level.
pub fn group_at(src: &str, position: Position) -> Option<String> {
    scan(src)
        .into_iter()
        .filter(|(_, start, end)| *start <= position && end.is_none_or(|end| position < end))
        .map(|(path, _, _)| path)
        .next_back()
}

/// The position of `path` in `src`, or of its nearest enclosing path.
pub fn find(src: &str, path: &str) -> Option<Position> {
    let all = paths(src);
    let mut probe = path.to_string();
    loop {
        if let Some((_, pos)) = all.iter().find(|(p, _)| *p == probe) {
            return Some(*pos);
        }
        let cut = probe.rfind(['.', '['])?;
        probe.truncate(cut);
    }
}

/// The innermost path whose text starts at or before `position`.
pub fn path_at(src: &str, position: Position) -> Option<String> {
    paths(src).into_iter().filter(|(_, p)| *p <= position).map(|(path, _)| path).next_back()
}

impl Scanner {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn skip_trivia(&mut self) {
        loop {
            match (self.peek(), self.chars.get(self.at + 1)) {
                (Some(c), _) if c.is_whitespace() => {
                    self.bump();
                }
                (Some('/'), Some('/')) => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                (Some('/'), Some('*')) => {
                    self.bump();
                    self.bump();
                    while self.peek().is_some()
                        && !(self.peek() == Some('*') && self.chars.get(self.at + 1) == Some(&'/'))
                    {
                        self.bump();
                    }
                    self.bump();
                    self.bump();
                }
                _ => return,
            }
        }
    }

    fn identifier(&mut self) -> String {
        let mut id = String::new();
        while let Some(c) = self.peek().filter(|c| c.is_alphanumeric() || *c == '_') {
            id.push(c);
            self.bump();
        }
        id
    }

    fn string(&mut self) {
        self.bump();
        while let Some(c) = self.bump() {
            match c {
                '\\' => {
                    self.bump();
                }
                '"' => return,
                _ => {}
            }
        }
    }

    /// Scans one value at `path`; returns false when it gave up.
    fn value(&mut self, path: &str) -> bool {
        if self.depth >= super::parse::MAX_NESTING {
            return false;
        }
        self.depth += 1;
        let done = self.value_inner(path);
        self.depth -= 1;
        done
    }

    /// Records where the value of the entry pushed at `index` ends.
    fn close(&mut self, index: usize, done: bool) -> bool {
        if done {
            self.found[index].2 = Some((self.line, self.col));
        }
        done
    }

    fn value_inner(&mut self, path: &str) -> bool {
        self.skip_trivia();
        match self.peek() {
            Some('"') => {
                self.string();
                true
            }
            Some('[') => self.sequence(path, ']'),
            Some('{') => self.sequence(path, '}'),
            Some('(') => self.group(path),
            Some(c) if c.is_alphanumeric() || c == '_' || c == '-' || c == '+' || c == '.' => {
                while self.peek().is_some_and(|c| c.is_alphanumeric() || "_-+.".contains(c)) {
                    self.bump();
                }
                self.skip_trivia();
                if self.peek() == Some('(') { self.group(path) } else { true }
            }
            _ => false,
        }
    }

    /// `[a, b]` (indexed) or `{k: v}` (keys not part of paths).
    fn sequence(&mut self, path: &str, close: char) -> bool {
        self.bump();
        let mut index = 0;
        loop {
            self.skip_trivia();
            if self.peek() == Some(close) {
                self.bump();
                return true;
            }
            let element = if close == ']' { format!("{path}[{index}]") } else { path.to_string() };
            let done = if close == ']' {
                self.found.push((element.clone(), (self.line, self.col), None));
                let index = self.found.len() - 1;
                let done = self.value(&element);
                self.close(index, done)
            } else {
                self.value(&element)
            };
            if !done {
                return false;
            }
            self.skip_trivia();
            if close == '}' && self.peek() == Some(':') {
                self.bump();
                if !self.value(&element) {
                    return false;
                }
                self.skip_trivia();
            }
            match self.peek() {
                Some(',') => {
                    self.bump();
                    index += 1;
                }
                Some(c) if c == close => {}
                _ => return false,
            }
        }
    }

    /// `( … )`: named fields `name: value` or positional values.
    fn group(&mut self, path: &str) -> bool {
        self.bump();
        loop {
            self.skip_trivia();
            if self.peek() == Some(')') {
                self.bump();
                return true;
            }
            let start = (self.at, self.line, self.col);
            let name = self.identifier();
            self.skip_trivia();
            if !name.is_empty() && self.peek() == Some(':') {
                self.bump();
                let field = if path.is_empty() { name } else { format!("{path}.{name}") };
                self.found.push((field.clone(), (start.1, start.2), None));
                let index = self.found.len() - 1;
                let done = self.value(&field);
                if !self.close(index, done) {
                    return false;
                }
            } else {
                (self.at, self.line, self.col) = start;
                if !self.value(path) {
                    return false;
                }
            }
            self.skip_trivia();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(')') => {}
                _ => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "Scenario(\n  name: \"x\", // comment\n  lanes: [\n    (from: \"A\", to: \"B\"),\n    (from: \"A\",\n     to: \"C\"),\n  ],\n  strategies: [(name: \"s\", replenishment: MinMax(reorder_point: Units(4)))],\n)";

    #[test]
    fn finds_fields_and_list_elements() {
        assert_eq!(find(SRC, "name"), Some((2, 3)));
        assert_eq!(find(SRC, "lanes[1].to"), Some((6, 6)));
        assert_eq!(find(SRC, "lanes[0]"), Some((4, 5)));
        assert_eq!(find(SRC, "strategies[0].replenishment.reorder_point"), Some((8, 50)));
    }

    #[test]
    fn falls_back_to_the_enclosing_path() {
        assert_eq!(find(SRC, "lanes[1].lead_time"), Some((5, 5)));
        assert_eq!(path_at(SRC, (6, 10)), Some("lanes[1].to".to_string()));
    }
}
