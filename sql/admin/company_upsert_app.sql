-- Creates or updates a company's mini-program app; null optional fields keep the stored value.
-- $1 company, $2 authorization_appid, $3 app_secret, $4 template_id, $5 version_num,
-- $6 three_services_type, $7 subscribe_template_id, $8 subscribe_fields
INSERT INTO mini_program_apps (company_id, authorization_appid, app_secret, template_id,
                               version_num, three_services_type, subscribe_template_id,
                               subscribe_fields)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (company_id) DO UPDATE
SET authorization_appid = EXCLUDED.authorization_appid,
    app_secret = COALESCE(EXCLUDED.app_secret, mini_program_apps.app_secret),
    template_id = COALESCE(EXCLUDED.template_id, mini_program_apps.template_id),
    version_num = COALESCE(EXCLUDED.version_num, mini_program_apps.version_num),
    three_services_type = EXCLUDED.three_services_type,
    subscribe_template_id = COALESCE(EXCLUDED.subscribe_template_id,
                                     mini_program_apps.subscribe_template_id),
    subscribe_fields = COALESCE(EXCLUDED.subscribe_fields, mini_program_apps.subscribe_fields)
