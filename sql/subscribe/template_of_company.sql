SELECT subscribe_template_id FROM mini_program_apps WHERE company_id = $1
