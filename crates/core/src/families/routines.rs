//! CREATE FUNCTION / PROCEDURE (dropped with their exact argument types: overloads exist), CREATE TRIGGER,
//! CREATE RULE, CREATE POLICY.
use crate::outcome::{code, Outcome};
use crate::quote::{self, ident};
use pg_query::protobuf::{
    CreateFunctionStmt, CreatePolicyStmt, CreateTrigStmt, FunctionParameterMode as Mode, RuleStmt,
};
use pg_query::NodeEnum;

pub fn create_function(s: &CreateFunctionStmt) -> Outcome {
    let keyword = if s.is_procedure { "PROCEDURE" } else { "FUNCTION" };
    let Some(name) = quote::any_name(&s.funcname) else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, format!("CREATE {keyword} with an unreadable name"));
    };
    if s.replace {
        return Outcome::blocked(
            code::OR_REPLACE,
            format!("Cannot auto-generate rollback for CREATE OR REPLACE {keyword} {name}: the previous definition, if any, is not in the migration"),
        );
    }
    let mut args = Vec::new();
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
        args.push(format!("{mode}{type_name}"));
    }
    Outcome::inverse(format!("DROP {keyword} {name}({})", args.join(", ")))
}

pub fn create_trigger(s: &CreateTrigStmt) -> Outcome {
    let Some(table) = &s.relation else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE TRIGGER without a table");
    };
    if s.replace {
        return Outcome::blocked(
            code::OR_REPLACE,
            format!("Cannot auto-generate rollback for CREATE OR REPLACE TRIGGER {}: the previous definition, if any, is not in the migration", ident(&s.trigname)),
        );
    }
    Outcome::inverse(format!("DROP TRIGGER {} ON {}", ident(&s.trigname), quote::relation(table)))
}

pub fn create_policy(s: &CreatePolicyStmt) -> Outcome {
    let Some(table) = &s.table else {
        return Outcome::blocked(code::UNSUPPORTED_STATEMENT, "CREATE POLICY without a table");
    };
    Outcome::inverse(format!("DROP POLICY {} ON {}", ident(&s.policy_name), quote::relation(table)))
}

pub fn create_rule(s: &RuleStmt) -> Outcome {
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
        return Outcome::blocked(
            code::OR_REPLACE,
            format!("Cannot auto-generate rollback for CREATE OR REPLACE RULE {}: the previous definition, if any, is not in the migration", ident(&s.rulename)),
        );
    }
    Outcome::inverse(format!("DROP RULE {} ON {}", ident(&s.rulename), quote::relation(table)))
}
