//! Stage 2: what a statement needs to know from the database. The questions and answers as data (`state`),
//! the answers an inversion may use (`facts`), and the planner that asks them statement by statement and
//! turns the outcomes into a plan (`planner`, `event_triggers`).
pub mod event_triggers;
pub mod facts;
pub mod planner;
pub mod state;
