"""Outbound webhooks (issue 17), signed per the Standard Webhooks spec."""
