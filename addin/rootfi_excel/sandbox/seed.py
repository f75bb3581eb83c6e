"""Deterministic demo data: seven companies on different platforms, each with
customers, ~600 open invoices, accounts, currencies, tax rates and items.

Everything comes from random.Random(company_id), so the same ids and names appear on
every machine and every run. Platform ids mimic each platform's style (QuickBooks
numbers, Xero GUIDs, Sage hex ids, ...), always as strings.
"""

from __future__ import annotations

import random
import uuid

from rootfi_excel.sandbox.db import Database

SEED_STAMP = "2024-06-01T09:00:00.000Z"
OPEN_INVOICES = 600  # per seeded company (1001-1007): the demo pays each at most once

# rootfi_id, name, integration, connection status, base currency
COMPANIES = [
    (1001, "Northwind Traders Inc.", "QUICKBOOKS", "HEALTHY", "USD"),
    (1002, "Harbourside Foods Ltd", "XERO", "HEALTHY", "GBP"),
    (1003, "Summit Engineering Corp.", "NETSUITE", "HEALTHY", "USD"),
    (1004, "Rheinland Maschinen GmbH", "MS_DYNAMICS_365", "HEALTHY", "EUR"),
    (1005, "Oakridge Design Studio Ltd", "SAGE_CLOUD_ACCOUNTING", "HEALTHY", "GBP"),
    (1006, "Maple Leaf Outfitters Inc.", "FRESH_BOOKS", "HEALTHY", "CAD"),
    (1007, "Lotus Textiles Pvt Ltd", "ZOHO_BOOKS", "DISCONNECTED", "INR"),
]

# code: (name, symbol, value of one unit in USD)
CURRENCIES = {
    "USD": ("US Dollar", "$", 1.0),
    "GBP": ("British Pound", "£", 1.27),
    "EUR": ("Euro", "€", 1.09),
    "CAD": ("Canadian Dollar", "C$", 0.74),
    "AUD": ("Australian Dollar", "A$", 0.66),
    "INR": ("Indian Rupee", "₹", 0.012),
    "NZD": ("New Zealand Dollar", "NZ$", 0.61),
    "SGD": ("Singapore Dollar", "S$", 0.74),
    "CHF": ("Swiss Franc", "CHF", 1.13),
    "JPY": ("Japanese Yen", "¥", 0.0067),
}

# category -> its accounts as (name, sub_category, status), in the order they are seeded
_ACCOUNTS_BY_CATEGORY = {
    "BANK": [("Business Checking", "CHECKING", "ACTIVE"), ("Business Savings", "SAVINGS", "ACTIVE"),
             ("Petty Cash", "CASH_ON_HAND", "ACTIVE"), ("Old Operating Account", "CHECKING", "ARCHIVED")],
    "ASSET": [("Undeposited Funds", "UNDEPOSITED_FUNDS", "ACTIVE"),
              ("Accounts Receivable", "ACCOUNTS_RECEIVABLE", "ACTIVE")],
    "INCOME": [("Sales", "SALES_OF_PRODUCT_INCOME", "ACTIVE"), ("Services Revenue", "SERVICE_FEE_INCOME", "ACTIVE"),
               ("Sales Returns and Allowances", "DISCOUNTS_REFUNDS_GIVEN", "ACTIVE"),
               ("Shipping Income", "OTHER_PRIMARY_INCOME", "ACTIVE")],
    "EXPENSE": [("Office Supplies", "OFFICE_EXPENSES", "ACTIVE")],
    "LIABILITY": [("Accounts Payable", "ACCOUNTS_PAYABLE", "ACTIVE")],
}
# name, category, sub_category, status
ACCOUNTS = [(name, category, sub_category, status)
            for category, accounts in _ACCOUNTS_BY_CATEGORY.items() for name, sub_category, status in accounts]

TAX_RATES = {
    "USD": [("Sales Tax 8.25%", 8.25), ("NY Sales Tax 8.875%", 8.875), ("Out of State 0%", 0.0)],
    "GBP": [("20% (VAT on Income)", 20.0), ("5% (VAT on Income)", 5.0), ("Zero Rated Income", 0.0),
            ("Exempt Income", 0.0)],
    "EUR": [("Standard 19%", 19.0), ("Reduced 7%", 7.0), ("Zero 0%", 0.0)],
    "CAD": [("HST ON 13%", 13.0), ("GST 5%", 5.0), ("Zero Rated", 0.0)],
    "INR": [("GST 18%", 18.0), ("GST 12%", 12.0), ("GST 5%", 5.0), ("Exempt", 0.0)],
}

# Runs of items that share a type and an income account: (type, income account name,
# [(name, unit price), ...]), in the order they are seeded (the order fixes their ids).
_ITEM_RUNS = [
    ("SERVICE", "Services Revenue", [("Consulting Hours", 150.0), ("Implementation Package", 2500.0),
                                     ("Annual Support Plan", 1200.0), ("Training Day", 900.0)]),
    ("SERVICE", "Shipping Income", [("Delivery", 40.0)]),
    ("INVENTORY", "Sales", [("Standard Widget", 25.0), ("Premium Widget", 48.5), ("Replacement Parts Kit", 89.99)]),
    ("NON_INVENTORY", "Sales", [("Installation Kit", 120.0)]),
    ("SERVICE", "Services Revenue", [("Extended Warranty", 300.0), ("Site Survey", 450.0)]),
    ("NON_INVENTORY", "Sales", [("Cable Bundle", 15.75)]),
]
# name, type, unit price, income account name
ITEMS = [(name, kind, price, account) for kind, account, items in _ITEM_RUNS for name, price in items]

NAME_FIRST = [
    "Acme", "Blue Harbor", "Summit", "Redwood", "Pioneer", "Silverline", "Brightwater", "Evergreen",
    "Ironbridge", "Crescent", "Golden Gate", "Riverside", "Skyline", "Granite", "Willow", "Lakeshore",
    "Cedar", "Falcon", "Atlas", "Beacon", "Horizon", "Kestrel", "Meridian", "Orchard", "Quarry",
    "Sterling", "Juniper", "Copperfield", "Highland", "Northstar", "Bluebell", "Foxglove",
]
NAME_SECOND = [
    "Trading", "Logistics", "Foods", "Engineering", "Consulting", "Supplies", "Bakery", "Outfitters",
    "Analytics", "Builders", "Healthcare", "Media", "Marine", "Dental", "Hotels", "Printing",
]
SUFFIX = {"USD": "Inc.", "GBP": "Ltd", "EUR": "GmbH", "CAD": "Inc.", "INR": "Pvt Ltd", "AUD": "Pty Ltd"}
PEOPLE_FIRST = ["Alice", "Ben", "Chloe", "David", "Emma", "Farah", "George", "Hana", "Ivan", "Julia",
                "Kofi", "Laura", "Mateo", "Nina", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tara"]
PEOPLE_LAST = ["Smith", "Okafor", "Müller", "Garcia", "Chen", "Patel", "Dubois", "Rossi", "Kowalski",
               "Nguyen", "Johansson", "O'Brien", "Tanaka", "Silva"]

NUMERIC_ID_PLATFORMS = {"QUICKBOOKS", "NETSUITE", "FRESH_BOOKS", "ZOHO_BOOKS"}


def platform_id(integration: str, number: int, rng: random.Random | None = None) -> str:
    """An id in the platform's style; numeric platforms use `number`, others a random id."""
    if integration in NUMERIC_ID_PLATFORMS:
        return str(460000000000 + number) if integration == "ZOHO_BOOKS" else str(number)
    bits = rng.getrandbits(128) if rng else uuid.uuid4().int
    value = uuid.UUID(int=bits, version=4)
    return value.hex if integration == "SAGE_CLOUD_ACCOUNTING" else str(value)


def company_record(company_id: int, name: str, integration: str, status: str) -> dict:
    return {
        "rootfi_id": company_id,
        "rootfi_created_at": SEED_STAMP,
        "rootfi_updated_at": SEED_STAMP,
        "name": name,
        "integration": integration,
        "connectionStatus": status,
        "connections": [{
            "rootfi_id": company_id * 10,
            "rootfi_created_at": SEED_STAMP,
            "rootfi_updated_at": SEED_STAMP,
            "integration_type": integration,
            "category": "ACCOUNTING",
            "connection_status": status,
            "sync_status": "IDLE",
            "last_synced": SEED_STAMP,
        }],
    }


def seed_if_empty(db: Database) -> bool:
    """Seed the demo data into an empty database; a used database is left alone."""
    if not db.is_empty():
        return False
    with db.transaction():
        for company_id, name, integration, status, base in COMPANIES:
            db.insert_company(company_record(company_id, name, integration, status))
            _CompanySeeder(db, company_id, integration, base).run()
    return True


class _CompanySeeder:
    def __init__(self, db: Database, company_id: int, integration: str, base: str):
        self.db, self.company_id, self.integration, self.base = db, company_id, integration, base
        self.rng = random.Random(company_id)
        self.counter = 0

    def add(self, model: str, fields: dict, deleted: bool = False) -> dict:
        self.counter += 1
        pid = platform_id(self.integration, self.counter, self.rng)
        record = {
            "rootfi_created_at": SEED_STAMP,
            "rootfi_updated_at": SEED_STAMP,
            "rootfi_deleted_at": SEED_STAMP if deleted else None,
            "rootfi_company_id": self.company_id,
            "platform_id": pid,
            "platform_unique_id": pid,
            **fields,
            "updated_at": SEED_STAMP,
        }
        return self.db.insert_record(self.company_id, model, record)

    def run(self) -> None:
        accounts, taxes = self.run_lists()
        customers = self._contacts(self.rng)
        self._invoices(self.rng, customers, taxes[0])

    def run_lists(self) -> tuple[dict, list[dict]]:
        """Currencies, accounts, tax rates and items; returns (accounts by name, tax rates)."""
        rng = self.rng
        for code, (name, symbol, usd) in CURRENCIES.items():
            # Currency ids are the ISO codes on every platform here (as in the v4 example "GBP").
            record = {
                "rootfi_created_at": SEED_STAMP, "rootfi_updated_at": SEED_STAMP, "rootfi_deleted_at": None,
                "rootfi_company_id": self.company_id, "platform_id": code, "platform_unique_id": code,
                "name": name, "code": code, "symbol": symbol, "is_base_currency": code == self.base,
                "exchange_rate": round(usd / CURRENCIES[self.base][2], 6), "updated_at": SEED_STAMP,
            }
            self.db.insert_record(self.company_id, "currencies", record)

        accounts = {}
        for index, (name, category, sub, status) in enumerate(ACCOUNTS):
            accounts[name] = self.add("accounts", {
                "name": name, "description": f"{name} ({sub.replace('_', ' ').lower()})",
                "nominal_code": str(1000 + index * 10), "current_balance": round(rng.uniform(0, 90000), 2),
                "status": status, "category": category, "sub_category": sub, "currency_id": self.base,
                "parent_account_id": None,
            })
        foreign = "EUR" if self.base != "EUR" else "USD"
        self.add("accounts", {
            "name": f"{foreign} Collections", "description": f"Bank account in {foreign}",
            "nominal_code": "1090", "current_balance": round(rng.uniform(0, 20000), 2), "status": "ACTIVE",
            "category": "BANK", "sub_category": "CHECKING", "currency_id": foreign, "parent_account_id": None,
        })

        taxes = []
        for name, rate in TAX_RATES.get(self.base, TAX_RATES["USD"]):
            taxes.append(self.add("tax_rates", {
                "name": name, "code": name.split(" ")[0].upper(), "tax_type": "SALES",
                "effective_tax_rate": rate, "total_tax_rate": rate,
                "components": [{"name": name, "rate": rate, "is_compound": False}],
            }))

        for name, kind, price, account in ITEMS:
            self.add("items", {
                "name": name, "description": name, "status": "ACTIVE", "type": kind,
                "code": name.upper().replace(" ", "-")[:12], "quantity_on_hand": rng.randint(0, 500)
                if kind == "INVENTORY" else None,
                "is_bill_item": False, "is_invoice_item": True,
                "invoice_item": {"unit_price": price, "account_id": accounts[account]["platform_id"],
                                 "tax_id": taxes[0]["platform_id"]},
                "bill_item": None,
            })
        return accounts, taxes

    def _contacts(self, rng: random.Random) -> list[dict]:
        firsts = rng.sample(NAME_FIRST, 32)
        customers = []
        for index, first in enumerate(firsts):
            # Mostly base-currency customers, a few abroad.
            currency = self.base if index % 6 else rng.choice([c for c in ("USD", "GBP", "EUR", "AUD") if c != self.base])
            person = f"{rng.choice(PEOPLE_FIRST)} {rng.choice(PEOPLE_LAST)}"
            contact = self.add("contacts", {
                "name": f"{first} {rng.choice(NAME_SECOND)} {SUFFIX.get(self.base, 'Inc.')}",
                "contact_name": person, "contact_type": "CUSTOMER", "currency_id": currency,
                "tax_number": f"TX{rng.randint(10000000, 99999999)}", "registration_number": None,
                "status": "ACTIVE",
            }, deleted=index >= 30)  # two deleted customers, for include_deleted_records
            if index < 30:
                customers.append(contact)
        for index in range(4):
            self.add("contacts", {
                "name": f"{rng.choice(NAME_FIRST)} Wholesale Supplies {SUFFIX.get(self.base, 'Inc.')}",
                "contact_name": f"{rng.choice(PEOPLE_FIRST)} {rng.choice(PEOPLE_LAST)}",
                "contact_type": "VENDOR", "currency_id": self.base, "tax_number": None,
                "registration_number": None, "status": "ACTIVE",
            })
        return customers

    def _invoices(self, rng: random.Random, customers: list[dict], tax: dict) -> None:
        # OPEN_INVOICES open invoices, then 15 paid ones and 3 deleted ones.
        for index in range(OPEN_INVOICES + 18):
            customer = rng.choice(customers)
            sub_total = round(rng.uniform(150, 12000), 2)
            tax_amount = round(sub_total * tax["effective_tax_rate"] / 100, 2)
            total = round(sub_total + tax_amount, 2)
            if index >= OPEN_INVOICES and index < OPEN_INVOICES + 15:
                due, status = 0.0, "PAID"
            elif rng.random() < 0.2:
                due, status = round(total * rng.uniform(0.2, 0.8), 2), "PARTIALLY_PAID"
            else:
                due, status = total, "SUBMITTED"
            day = rng.randint(1, 28)
            month = rng.randint(1, 5)
            self.add("invoices", {
                "document_number": f"INV-{10001 + index}", "contact_id": customer["platform_id"],
                "currency_id": customer["currency_id"], "currency_rate": 1.0,
                "posted_date": f"2024-{month:02d}-{day:02d}T00:00:00.000Z",
                "due_date": f"2024-{month + 1:02d}-{day:02d}T00:00:00.000Z",
                "memo": f"Services for {customer['name']}", "status": status,
                "sub_total": sub_total, "tax_amount": tax_amount, "total_discount": 0.0,
                "total_amount": total, "amount_due": due, "sales_order_ids": [],
            }, deleted=index >= OPEN_INVOICES + 15)


# ---- Volume company: realistic numbers for measuring a lookups refresh ----------------

VOLUME_COMPANY = (1008, "Meridian Wholesale Group Inc.", "QUICKBOOKS", "HEALTHY", "USD")
VOLUME_INVOICES = 20000
VOLUME_CONTACTS = 2000


def seed_volume_company(db: Database, invoices: int = VOLUME_INVOICES, contacts: int = VOLUME_CONTACTS) -> bool:
    """Add company 1008 with `contacts` customers and `invoices` invoices (once; False if present)."""
    company_id, name, integration, status, base = VOLUME_COMPANY
    if db.company(company_id) is not None:
        return False
    with db.transaction():
        db.insert_company(company_record(company_id, name, integration, status))
        _seed_volume(_CompanySeeder(db, company_id, integration, base), invoices, contacts)
    return True


def _volume_contact_name(index: int) -> str:
    """Unique names (a branch number after 512 of them), except that every 500th customer
    shares the previous one's name on purpose: twin names are real and must be told apart."""
    if index % 500 == 499:
        index -= 1
    first = NAME_FIRST[index % len(NAME_FIRST)]
    second = NAME_SECOND[(index // len(NAME_FIRST)) % len(NAME_SECOND)]
    branch = index // (len(NAME_FIRST) * len(NAME_SECOND))
    return f"{first} {second} Inc." + (f" ({branch + 1})" if branch else "")


def _seed_volume(self: _CompanySeeder, invoices: int, contacts: int) -> None:
    """Currencies, accounts, taxes and items as usual, then many customers and invoices."""
    rng = self.rng
    self.run_lists()
    customers = [
        self.add("contacts", {
            "name": _volume_contact_name(index), "contact_name": f"{rng.choice(PEOPLE_FIRST)} {rng.choice(PEOPLE_LAST)}",
            "contact_type": "CUSTOMER", "currency_id": self.base if index % 10 else "EUR",
            "tax_number": None, "registration_number": None, "status": "ACTIVE",
        })
        for index in range(contacts)
    ]
    for index in range(invoices):
        customer = customers[index % len(customers)]
        total = round(rng.uniform(100, 9000), 2)
        paid = index % 4 == 0  # a quarter of the history is paid
        month, day = 1 + index % 12, 1 + index % 28
        self.add("invoices", {
            "document_number": f"INV-{100001 + index}", "contact_id": customer["platform_id"],
            "currency_id": customer["currency_id"], "currency_rate": 1.0,
            "posted_date": f"2024-{month:02d}-{day:02d}T00:00:00.000Z",
            "due_date": f"2024-{month:02d}-{day:02d}T00:00:00.000Z",
            "memo": None, "status": "PAID" if paid else "SUBMITTED",
            "sub_total": total, "tax_amount": 0.0, "total_discount": 0.0,
            "total_amount": total, "amount_due": 0.0 if paid else total, "sales_order_ids": [],
        })

