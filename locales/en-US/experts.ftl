## Local experts

