"""Live lookups: a local cache of a company's lists (contacts, invoices, accounts,
currencies, tax rates, items), its refresh through the API, and resolving the values
people type (a customer name, an invoice number) to platform ids."""
