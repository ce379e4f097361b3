//! `/openapi.json` against the route table and the live server: every served route is described
//! and every described operation is served.

use radar::http::openapi::{answer_label, openapi_path};
use radar::http::routes::{Method, Serve};
use serde_json::Value;

use crate::auth_matrix::{concrete, served};
use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_document_describes_exactly_the_served_routes() {
    let app = spawn_app().await;
    let doc = app.get("/openapi.json", "").await;
    assert_eq!(doc["openapi"], "3.0.3");
    let mut described = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            described.push((method.clone(), path.clone(), op.clone()));
        }
    }
    let table = served(&app);
    assert_eq!(
        described.len(),
        table.len(),
        "one operation per served route"
    );
    for route in &table {
        let path = openapi_path(route.path);
        let op = described
            .iter()
            .find(|(m, p, _)| m == route.method.lower() && *p == path)
            .map(|(_, _, op)| op)
            .unwrap_or_else(|| panic!("{} {} is not described", route.method.lower(), path));
        assert_eq!(op["x-answer"], answer_label(route.answer), "{path}");
        let family = route.signed.map(|f| f.label());
        assert_eq!(op["x-signed-by"].as_str(), family, "{path}");
    }
    // The signature triple and the envelope are described once, in components.
    let schemes = &doc["components"]["securitySchemes"];
    for name in ["user_id", "timestamp", "rand_str"] {
        assert_eq!(schemes[name]["in"], "query", "{name}");
    }
    let envelope = &doc["components"]["schemas"]["Envelope"];
    assert_eq!(
        envelope["required"],
        serde_json::json!(["code", "msg", "data", "note"])
    );
    let send = &doc["paths"]["/zhugeleida/qiyeweixin/chat/send_msg/{id}"]["post"];
    assert_eq!(
        send["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Envelope"
    );
    assert!(
        send["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["required"]
            .as_array()
            .expect("required fields")
            .contains(&Value::from("content"))
    );
}

#[actix_web::test]
async fn every_described_operation_is_served() {
    // A served path answers the other method with `{code:402}`; an unknown one is a 404.
    let app = spawn_app().await;
    let mut missing = Vec::new();
    for route in served(&app) {
        if matches!(route.serve, Serve::Statics) {
            continue; // actix-files: its own answers (see the statics tests)
        }
        let url = format!("{}{}", app.address, concrete(route));
        let other = match route.method {
            Method::Get => app.http.post(url),
            Method::Post => app.http.get(url),
        };
        let resp = other.send().await.expect("request");
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if body["code"] != 402 || body["msg"] != "请求方式异常" {
            missing.push(format!("{}: {body}", route.path));
        }
    }
    assert!(
        missing.is_empty(),
        "not served as listed:\n{}",
        missing.join("\n")
    );
}
