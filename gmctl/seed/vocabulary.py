"""Words the seeds draw from: Nigerian names and places, and what each service line is asked to do.

Plain tuples, no randomness here: the demo and scale seeds pick from them with their own seeded
random.Random, so the same seed always yields the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

FIRST_NAMES = (
    # Yoruba
    "Adebayo", "Adewale", "Babatunde", "Bukola", "Damilola", "Folake", "Funmilayo", "Kunle", "Olamide",
    "Oluwaseun", "Segun", "Temitope", "Tunde", "Yetunde", "Titilayo", "Femi",
    # Igbo
    "Amaka", "Chiamaka", "Chidinma", "Chinedu", "Chukwuemeka", "Emeka", "Ifeoma", "Kelechi", "Ngozi",
    "Nnamdi", "Obinna", "Uchenna", "Nneka", "Chioma", "Ikenna", "Adaeze",
    # Hausa / Fulani
    "Abubakar", "Aisha", "Fatima", "Hadiza", "Ibrahim", "Musa", "Sani", "Usman", "Zainab", "Halima",
    "Aliyu", "Bilkisu",
    # South-South and Middle Belt
    "Efe", "Ese", "Oghenekaro", "Ekaette", "Eno", "Tamuno", "Ibiere", "Nengi", "Terkaa", "Dooshima",
)  # fmt: skip

LAST_NAMES = (
    "Adeyemi", "Adebayo", "Adeleke", "Afolabi", "Akinola", "Balogun", "Fashola", "Ogunleye", "Ojo",
    "Olawale", "Oyebanji", "Ayodele", "Ogundipe", "Oyelaran",
    "Okafor", "Okonkwo", "Okeke", "Eze", "Nwosu", "Chukwu", "Okoro", "Ogbonna", "Nwachukwu", "Ibekwe",
    "Uzor", "Ezeh", "Obi", "Onyekachi",
    "Abubakar", "Bello", "Ibrahim", "Mohammed", "Yusuf", "Lawal", "Garba", "Aliyu", "Umar", "Danjuma",
    "Ekpo", "Etim", "Edet", "Bassey", "Ikwuemesi", "Tarila", "Akpan", "Iorliam",
)  # fmt: skip


@dataclass(frozen=True)
class City:
    name: str
    state: str
    latitude: float
    longitude: float
    areas: tuple[str, ...]
    streets: tuple[str, ...]


CITIES = (
    City("Lagos", "Lagos", 6.5244, 3.3792,
         ("Ikeja", "Lekki Phase 1", "Victoria Island", "Surulere", "Yaba", "Ikoyi", "Ajah", "Gbagada"),
         ("Adeola Odeku Street", "Admiralty Way", "Allen Avenue", "Awolowo Road", "Herbert Macaulay Way",
          "Adetokunbo Ademola Street", "Bode Thomas Street", "Opebi Road")),
    City("Abuja", "FCT", 9.0765, 7.3986,
         ("Wuse II", "Maitama", "Garki", "Gwarinpa", "Asokoro", "Jabi"),
         ("Aminu Kano Crescent", "Ademola Adetokunbo Crescent", "Gimbiya Street", "Yakubu Gowon Crescent")),
    City("Port Harcourt", "Rivers", 4.8156, 7.0498,
         ("GRA Phase 2", "Trans-Amadi", "Rumuola", "Old GRA"),
         ("Aba Road", "Ikwerre Road", "Olu Obasanjo Road", "Stadium Road")),
    City("Kano", "Kano", 12.0022, 8.5920,
         ("Nassarawa GRA", "Sabon Gari", "Bompai"),
         ("Bompai Road", "Zoo Road", "Murtala Mohammed Way")),
    City("Ibadan", "Oyo", 7.3775, 3.9470,
         ("Bodija", "Ring Road", "Challenge", "Jericho"),
         ("Ring Road", "Awolowo Avenue", "Oyo Road")),
    City("Enugu", "Enugu", 6.4584, 7.5464,
         ("Independence Layout", "GRA", "Trans-Ekulu"),
         ("Ogui Road", "Okpara Avenue", "Chime Avenue")),
    City("Benin City", "Edo", 6.3350, 5.6037,
         ("GRA", "Ugbowo", "Ikpoba Hill"),
         ("Sapele Road", "Airport Road", "Akpakpava Road")),
    City("Kaduna", "Kaduna", 10.5105, 7.4165, ("Barnawa", "Malali"),
         ("Ahmadu Bello Way", "Constitution Road")),
    City("Abeokuta", "Ogun", 7.1475, 3.3619, ("Ibara", "Oke-Mosan"), ("Quarry Road", "Lalubu Street")),
    City("Calabar", "Cross River", 4.9757, 8.3417, ("State Housing", "Marian"), ("Ndidem Usang Iso Road",)),
    City("Owerri", "Imo", 5.4840, 7.0351, ("New Owerri", "Ikenegbu"), ("Wetheral Road", "Douglas Road")),
    City("Uyo", "Akwa Ibom", 5.0377, 7.9128, ("Ewet Housing",), ("Oron Road", "Aka Road")),
)  # fmt: skip

# Nigerian mobile prefixes (MTN, Glo, Airtel, 9mobile) after the +234 country code.
MOBILE_PREFIXES = ("703", "706", "803", "806", "810", "813", "816", "903", "805", "807", "815",
                   "905", "802", "808", "812", "902", "809", "817", "818", "909")  # fmt: skip

BANKS = ("GTBank", "Access Bank", "Zenith Bank", "First Bank", "UBA", "Fidelity Bank", "Stanbic IBTC",
         "Wema Bank", "Kuda", "Moniepoint")  # fmt: skip
CARD_BRANDS = ("Verve", "Visa", "Mastercard")

CAR_MODELS = (
    ("Toyota", "Corolla"), ("Toyota", "Camry"), ("Toyota", "Highlander"), ("Honda", "Accord"),
    ("Honda", "CR-V"), ("Lexus", "RX 350"), ("Hyundai", "Elantra"), ("Kia", "Rio"), ("Peugeot", "406"),
    ("Mercedes-Benz", "C300"), ("Innoson", "IVM G5"), ("Toyota", "Hiace"),
)  # fmt: skip
CAR_COLOURS = ("Silver", "Black", "White", "Grey", "Blue", "Wine", "Gold")
PLATE_CODES = ("KJA", "LND", "EKY", "ABJ", "GGE", "RSH", "KAN", "BEN", "ENU", "FST", "APP", "SMK")

HOTELS = (
    ("Lagoon View Suites", "Lagos"), ("Marina Court Hotel", "Lagos"), ("Lekki Palms Apartments", "Lagos"),
    ("Central Area Grand", "Abuja"), ("Maitama Garden Hotel", "Abuja"),
    ("Garden City Lodge", "Port Harcourt"),
    ("Bompai Royal Hotel", "Kano"), ("Bodija Heights Guesthouse", "Ibadan"), ("Coal City Resort", "Enugu"),
    ("Obudu View Resort", "Calabar"),
)  # fmt: skip
ROOM_TYPES = ("Standard room", "Deluxe room", "Executive suite", "Studio apartment", "Family room")


@dataclass(frozen=True)
class ServiceLine:
    """What customers of one service type ask for, and what it usually costs in naira."""

    service_type: str
    requests: tuple[tuple[str, str], ...]  # (title, description)
    cost_range: tuple[int, int]
    location_type: str | None


SERVICE_LINES = (
    ServiceLine("automotive", (
        ("Brake pads and discs replacement",
         "Front brakes squeal and the car pulls to the left when braking."),
        ("AC not cooling",
         "The air conditioning blows warm air since last week; please check the gas and compressor."),
        ("Engine check light on", "Check engine light came on after refuelling; car jerks at low speed."),
        ("Gearbox slipping", "Automatic gearbox slips between second and third gear in traffic."),
    ), (25_000, 450_000), "on_site"),
    ServiceLine("hotel", (
        ("Two nights for a business trip", "Quiet room with a work desk and fast Wi-Fi, breakfast included."),
        ("Weekend stay for a family of four", "Two adults and two children; pool access if possible."),
        ("Conference guests accommodation", "Six rooms for visiting partners attending our annual review."),
        ("Wedding guests block booking", "Rooms for guests from abroad attending a traditional wedding."),
    ), (45_000, 900_000), None),
    ServiceLine("logistics", (
        ("Deliver cartons to a new office", "Twelve cartons of files and two printers; needs a covered van."),
        ("Interstate parcel delivery", "Three parcels of fabric samples, to be delivered by Friday."),
        ("Move a two-bedroom flat", "Furniture, fridge and a 55-inch TV; second floor, no lift."),
        ("Same-day document dispatch", "Signed contract documents to be delivered and signed for today."),
    ), (5_000, 350_000), "pickup"),
    ServiceLine("rental", (
        ("Generator rental for an event", "20 kVA soundproof generator with diesel for a six-hour event."),
        ("Bus rental for a wedding", "Two 18-seater buses with drivers for the day."),
        ("Canopy and chairs rental", "Four canopies and 200 chairs for a naming ceremony."),
        ("SUV rental with driver", "An SUV with a driver for three days of client visits."),
    ), (20_000, 600_000), "delivery"),
    ServiceLine("gadgets", (
        ("Phone screen replacement", "Cracked screen on a Samsung Galaxy A54; touch still works."),
        ("Laptop for a new hire", "Business laptop, 16 GB RAM, 512 GB SSD, with Windows and Office."),
        ("Inverter and solar panel setup", "3.5 kVA inverter with four panels for a small office."),
        ("Tablet repair", "iPad does not charge; the port may be loose."),
    ), (15_000, 1_500_000), "pickup"),
    ServiceLine("loans", (
        ("Working capital for a provisions shop",
         "Stock up before the festive season; repayment over six months."),
        ("School fees loan", "Tuition for two children for the new session."),
        ("Equipment loan for a salon", "Two dryers and a washing station for a new branch."),
        ("Vehicle purchase loan", "Part-finance a used Toyota Corolla for ride-hailing."),
    ), (5_000, 75_000), None),
    ServiceLine("jewelry", (
        ("Custom wedding bands", "A pair of 18-carat gold bands with engraving inside."),
        ("Coral beads for a traditional wedding", "Complete coral bead set for bride and groom."),
        ("Necklace repair", "Broken clasp on a gold necklace; needs polishing too."),
        ("Engagement ring resizing", "Resize from 7 to 6 and clean the stone setting."),
    ), (30_000, 2_500_000), "pickup"),
    ServiceLine("car_service", (
        ("Full service and oil change", "Routine 10,000 km service: oil, filters and a general check."),
        ("Car wash and interior detailing", "Full interior cleaning, seats shampooed, engine bay wash."),
        ("Wheel alignment and balancing", "Steering wheel vibrates above 80 km/h."),
        ("Battery replacement", "Car does not start in the morning; battery is three years old."),
    ), (8_000, 180_000), "on_site"),
    ServiceLine("paperwork", (
        ("Business name registration", "Register a business name with the CAC and get the certificate."),
        ("International passport renewal", "Book the appointment and prepare the renewal forms."),
        ("Certificate of Occupancy search", "Search and verify the C of O of a plot before purchase."),
        ("Driver's licence renewal", "Renew an expired driver's licence; biometrics already captured."),
    ), (15_000, 300_000), None),
    ServiceLine("creative_services", (
        ("Wedding photography", "One-day coverage, edited photos and a short highlight video."),
        ("Logo and brand kit", "Logo, colours and social media templates for a small bakery."),
        ("Product photoshoot", "Thirty product photos on a white background for an online store."),
        ("Event flyer and banner design", "Flyer, roll-up banner and Instagram posts for a product launch."),
    ), (40_000, 900_000), None),
    ServiceLine("web_development", (
        ("E-commerce website", "Online store with Paystack checkout and delivery tracking."),
        ("Company website redesign", "Modern, mobile-friendly site with a blog and contact form."),
        ("Booking page for a clinic", "Patients book appointments and get SMS reminders."),
        ("School portal fixes", "Result upload page times out; parents cannot log in on mobile."),
    ), (150_000, 3_500_000), None),
)  # fmt: skip

SERVICE_LINE = {line.service_type: line for line in SERVICE_LINES}

REASONS = {
    "confirmed": ("Details verified with the customer", "Quote accepted", "Deposit received"),
    "in_progress": ("Work started", "Technician on site", "Order placed with the supplier"),
    "completed": ("Work done and signed off", "Delivered and confirmed by the customer",
                  "Closed after payment"),
    "cancelled": ("Customer cancelled", "Customer found another provider", "Could not reach the customer"),
    "on_hold": ("Waiting for parts", "Waiting for documents from the customer", "Customer travelling"),
    "failed": ("Supplier could not deliver", "Payment failed twice", "Item beyond repair"),
}  # fmt: skip

CUSTOMER_MESSAGES = (
    "Good afternoon, please when will someone come around?",
    "Thank you. Can I pay by transfer instead of card?",
    "Please call me before you come, the gate is usually locked.",
    "Is it possible to move this to Saturday morning?",
    "I have sent the documents you asked for.",
)  # fmt: skip
STAFF_MESSAGES = (
    "Good afternoon. We have scheduled you for tomorrow between 10am and 12pm.",
    "Yes, bank transfer is fine. The account details are in your invoice.",
    "Noted, our team will call you 30 minutes before arrival.",
    "No problem, we have moved it to Saturday 9am.",
    "Received, thank you. We will update you shortly.",
)  # fmt: skip
