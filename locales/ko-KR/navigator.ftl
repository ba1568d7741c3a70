## Navigator: playbooks and plans

