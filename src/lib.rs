//! napi binding: converts types and errors only. All logic lives in crates/.
