//! Legacy document readers (being written).
