//! CREATE FUNCTION / PROCEDURE (dropped with their exact argument types: overloads exist), CREATE TRIGGER,
//! CREATE RULE, CREATE POLICY.
use crate::ask::facts::Facts;
use crate::ask::state::{At, Lookup, ObjectKind};
use crate::invert::context::Context;
use crate::invert::families::drops::{definition, routine_signature};
use crate::invert::families::{catalog_names, placement, tables};
use crate::invert::outcome::{code, Outcome};
use crate::invert::temporary::{self, Resolution};
use crate::parse::name::ObjectName;
use crate::render::quote::{self, ident};
use pg_query::protobuf::{
    CreateFunctionStmt, CreatePolicyStmt, CreateTrigStmt, FunctionParameterMode as Mode, RuleStmt,
};
use pg_query::NodeEnum;

pub fn create_function(s: &CreateFunctionStmt, ctx: &Context, facts: &Facts) -> Outcome {
    let keyword = if s.is_procedure { "PROCEDURE" } else { "FUNCTION" };
    let Some(name) = ObjectName::from_nodes(&s.funcname) else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, format!("CREATE {keyword} with an unreadable name"));
    };
    let mut args = Vec::new();
    // Input arguments identify a function (for the lookups); the drop spells out every mode.
    let mut inputs = Vec::new();
    for parameter in &s.parameters {
        let Some(NodeEnum::FunctionParameter(p)) = &parameter.node else { continue };
        // Argument modes are spelled out: DROP ignores OUT arguments of functions but procedures need them.
        let mode = match p.mode() {
            Mode::FuncParamTable => continue,
            Mode::FuncParamOut => "OUT ",
            Mode::FuncParamInout => "INOUT ",
            Mode::FuncParamVariadic => "VARIADIC ",
            _ => "",
        };
        let Some(type_name) = p.arg_type.as_ref().and_then(quote::type_name) else {
            return Outcome::blocked(
                code::UNSUPPORTED_STATEMENT,
                format!("CREATE {keyword} {name} with an unreadable argument type"),
            );
        };
        if p.mode() != Mode::FuncParamOut {
            inputs.push(type_name.clone());
        }
        args.push(format!("{mode}{type_name}"));
    }
    match temporary::created(ObjectKind::Routine(Some(inputs.clone())), &name, ctx, facts) {
        Resolution::Temporary => return Outcome::nothing_to_undo(),
        Resolution::Unknown => return tables::temporary_path_blocked(&format!("CREATE {keyword} {name}")),
        Resolution::Permanent => {}
    }
    if s.replace {
        let blocked = || {
            Outcome::blocked(
                code::OR_REPLACE,
                format!("Cannot auto-generate rollback for CREATE OR REPLACE {keyword} {name}: the previous definition, if any, is not in the migration"),
            )
        };
        match facts.routine(At::Before, &name, Some(inputs.clone()), Lookup::Creation) {
            None => return blocked(),
            // It replaced a function: its previous definition goes back (owner, privileges and comment stay).
            Some(Some(previous)) => {
                // CREATE OR REPLACE cannot take a parameter's name or default away again.
                let after = facts.routine(At::After, &name, Some(inputs.clone()), Lookup::Creation);
                match after {
                    None => return blocked(),
                    Some(Some(now)) if now.arguments != previous.arguments => {
                        return Outcome::blocked(
                            code::OR_REPLACE,
                            format!(
                                "Cannot auto-generate a safe rollback for CREATE OR REPLACE {keyword} {}: its parameters \
                                 changed from ({}) to ({}), and CREATE OR REPLACE cannot remove a parameter's name or default",
                                routine_signature(previous),
                                previous.arguments,
                                now.arguments
                            ),
                        )
                    }
                    Some(_) => {}
                }
                return match &previous.definition {
                    Some(definition) => Outcome::inverse(definition.trim_end()),
                    None => Outcome::blocked(
                        code::OR_REPLACE,
                        format!(
                            "Cannot auto-generate rollback for CREATE OR REPLACE {keyword}: {} is an aggregate",
                            routine_signature(previous)
                        ),
                    ),
                };
            }
            Some(None) => {}
        }
    }
    let placed = placement::routine(facts, &name, &inputs);
    if catalog_names::routine(&placed) {
        return catalog_names::blocked(&format!("CREATE {keyword} {name}"));
    }
    Outcome::inverse(format!("DROP {keyword} {placed}({})", args.join(", ")))
}

pub fn create_trigger(s: &CreateTrigStmt, facts: &Facts) -> Outcome {
    let Some(table) = &s.relation else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE TRIGGER without a table");
    };
    if s.replace {
        let blocked = |why: &str| {
            Outcome::blocked(
                code::OR_REPLACE,
                format!("Cannot auto-generate rollback for CREATE OR REPLACE TRIGGER {}: {why}", ident(&s.trigname)),
            )
        };
        let table_name = ObjectName::from_range_var(table);
        match facts.trigger(At::Before, &table_name, &s.trigname) {
            None => return blocked("the previous definition, if any, is not in the migration"),
            Some(Some(previous)) => {
                // Replacing it puts every clone on partitions in its state; the rollback's ALTER TABLE cannot
                // give clones at any depth their own states back.
                if previous.clones_differ {
                    return blocked("its copies on partitions were not all in the same state as it");
                }
                let create = definition(&previous.definition);
                let Some(rest) = create.strip_prefix("CREATE TRIGGER ") else {
                    return blocked("the trigger it replaced was a constraint trigger");
                };
                let state = match previous.enabled.as_str() {
                    "D" => "DISABLE",
                    "A" => "ENABLE ALWAYS",
                    "R" => "ENABLE REPLICA",
                    _ => "ENABLE",
                };
                return Outcome {
                    inverse: vec![
                        format!("CREATE OR REPLACE TRIGGER {rest}"),
                        format!("ALTER TABLE {table_name} {state} TRIGGER {}", ident(&s.trigname)),
                    ],
                    ..Default::default()
                };
            }
            Some(None) => {}
        }
    }
    Outcome::inverse(format!("DROP TRIGGER {} ON {}", ident(&s.trigname), quote::relation(table)))
}

pub fn create_policy(s: &CreatePolicyStmt) -> Outcome {
    let Some(table) = &s.table else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE POLICY without a table");
    };
    Outcome::inverse(format!("DROP POLICY {} ON {}", ident(&s.policy_name), quote::relation(table)))
}

pub fn create_rule(s: &RuleStmt, facts: &Facts) -> Outcome {
    let Some(table) = &s.relation else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE RULE without a table");
    };
    if s.rulename == "_RETURN" {
        return Outcome::blocked(
            code::UNSUPPORTED_STATEMENT,
            "Cannot auto-generate rollback for CREATE RULE \"_RETURN\": it turns the table into a view",
        );
    }
    if s.replace {
        let table_name = ObjectName::from_range_var(table);
        match facts.rule(At::Before, &table_name, &s.rulename) {
            None => {
                return Outcome::blocked(
                    code::OR_REPLACE,
                    format!("Cannot auto-generate rollback for CREATE OR REPLACE RULE {}: the previous definition, if any, is not in the migration", ident(&s.rulename)),
                )
            }
            Some(Some(previous)) => {
                let create = definition(&previous.definition);
                let rest = create.strip_prefix("CREATE RULE ").unwrap_or(&create);
                let mut inverse = vec![format!("CREATE OR REPLACE RULE {rest}")];
                let state = match previous.enabled.as_str() {
                    "D" => "DISABLE",
                    "A" => "ENABLE ALWAYS",
                    "R" => "ENABLE REPLICA",
                    _ => "ENABLE",
                };
                inverse.push(format!("ALTER TABLE {table_name} {state} RULE {}", ident(&s.rulename)));
                return Outcome { inverse, ..Default::default() };
            }
            Some(None) => {}
        }
    }
    Outcome::inverse(format!("DROP RULE {} ON {}", ident(&s.rulename), quote::relation(table)))
}
