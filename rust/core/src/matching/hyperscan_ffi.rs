//! The part of Hyperscan's C API the scanner uses (`hs.h`, Hyperscan 5.x / Vectorscan).
//!
//! Written by hand rather than taken from a binding crate's generated bindings, so that the same
//! declarations serve the built-in Vectorscan (`vectorscan-rs-sys` only builds and links it
//! here) and a system `libhs.so.5`; a dozen declarations are easy to keep right.

#![allow(non_camel_case_types, missing_docs)]

use std::os::raw::{c_char, c_int, c_uint, c_ulonglong, c_void};

// The vendored build: the crate compiles Vectorscan and emits the link lines for its static
// library; naming it here keeps it in the link although its own bindings are not used.
#[cfg(feature = "vendored")]
use vectorscan_rs_sys as _;

pub type hs_error_t = c_int;

#[repr(C)]
pub struct hs_database_t {
    _private: [u8; 0],
}

#[repr(C)]
pub struct hs_scratch_t {
    _private: [u8; 0],
}

#[repr(C)]
pub struct hs_compile_error_t {
    pub message: *mut c_char,
    pub expression: c_int,
}

#[repr(C)]
pub struct hs_platform_info_t {
    _private: [u8; 0],
}

#[repr(C)]
pub struct hs_expr_info_t {
    pub min_width: c_uint,
    pub max_width: c_uint,
    pub unordered_matches: c_char,
    pub matches_at_eod: c_char,
    pub matches_only_at_eod: c_char,
}

pub type match_event_handler = Option<
    unsafe extern "C" fn(id: c_uint, from: c_ulonglong, to: c_ulonglong, flags: c_uint, context: *mut c_void) -> c_int,
>;

pub const HS_SUCCESS: hs_error_t = 0;
pub const HS_SCAN_TERMINATED: hs_error_t = -3;

pub const HS_FLAG_CASELESS: c_uint = 1;
pub const HS_FLAG_UTF8: c_uint = 32;
pub const HS_FLAG_UCP: c_uint = 64;

pub const HS_MODE_BLOCK: c_uint = 1;

extern "C" {
    pub fn hs_compile_multi(
        expressions: *const *const c_char,
        flags: *const c_uint,
        ids: *const c_uint,
        elements: c_uint,
        mode: c_uint,
        platform: *const hs_platform_info_t,
        db: *mut *mut hs_database_t,
        error: *mut *mut hs_compile_error_t,
    ) -> hs_error_t;
    pub fn hs_free_compile_error(error: *mut hs_compile_error_t) -> hs_error_t;
    pub fn hs_free_database(db: *mut hs_database_t) -> hs_error_t;
    pub fn hs_expression_info(
        expression: *const c_char,
        flags: c_uint,
        info: *mut *mut hs_expr_info_t,
        error: *mut *mut hs_compile_error_t,
    ) -> hs_error_t;
    pub fn hs_alloc_scratch(db: *const hs_database_t, scratch: *mut *mut hs_scratch_t) -> hs_error_t;
    pub fn hs_free_scratch(scratch: *mut hs_scratch_t) -> hs_error_t;
    pub fn hs_scan(
        db: *const hs_database_t,
        data: *const c_char,
        length: c_uint,
        flags: c_uint,
        scratch: *mut hs_scratch_t,
        on_event: match_event_handler,
        context: *mut c_void,
    ) -> hs_error_t;
    pub fn hs_version() -> *const c_char;
    pub fn hs_database_size(db: *const hs_database_t, size: *mut usize) -> hs_error_t;
    pub fn hs_serialize_database(db: *const hs_database_t, bytes: *mut *mut c_char, length: *mut usize) -> hs_error_t;
    pub fn hs_deserialize_database(bytes: *const c_char, length: usize, db: *mut *mut hs_database_t) -> hs_error_t;
}
