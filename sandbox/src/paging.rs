//! Paging objects as Spotify writes them (docs/spotify-protocol.md, section 7.2).

use std::ops::Range;

use crate::json::{self, Object};

/// The position of a page in a list of `total` items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
}

/// Where `items` goes in a paging object: search and artist albums send it last, album
/// tracks second (the member orders observed in docs/spotify-protocol.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    ItemsLast,
    ItemsSecond,
}

impl Page {
    pub fn new(total: usize, offset: usize, limit: usize) -> Self {
        Page {
            total,
            offset,
            limit,
        }
    }

    /// The indices of the items on this page.
    pub fn range(&self) -> Range<usize> {
        let start = self.offset.min(self.total);
        start..(self.offset + self.limit).min(self.total)
    }

    /// The offset of the next page, if there is one.
    pub fn next(&self) -> Option<usize> {
        (self.offset + self.limit < self.total).then_some(self.offset + self.limit)
    }

    /// The offset of the previous page: `offset − limit`, at least 0; none at offset 0.
    pub fn previous(&self) -> Option<usize> {
        (self.offset > 0).then(|| self.offset.saturating_sub(self.limit))
    }

    /// The paging object. `base` is the URL without a query; `tail` follows
    /// `offset` and `limit` in every URL; `items` are written already.
    pub fn object(&self, base: &str, tail: &str, items: Vec<String>, order: Order) -> String {
        let url = |offset: usize| format!("{base}?offset={offset}&limit={}{tail}", self.limit);
        let items = json::array(items);
        let mut o = Object::default();
        o.str("href", &url(self.offset));
        if order == Order::ItemsSecond {
            o.raw("items", &items);
        }
        o.num("limit", self.limit as u64);
        match self.next() {
            Some(next) => o.str("next", &url(next)),
            None => o.flag("next", None),
        };
        o.num("offset", self.offset as u64);
        match self.previous() {
            Some(previous) => o.str("previous", &url(previous)),
            None => o.flag("previous", None),
        };
        o.num("total", self.total as u64);
        if order == Order::ItemsLast {
            o.raw("items", &items);
        }
        o.end()
    }
}
