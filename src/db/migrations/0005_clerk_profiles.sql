CREATE TABLE "orgkit_clerk_profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workos_user_id" text NOT NULL,
	"clerk_user_id" text NOT NULL,
	"username" text,
	"primary_phone_number" text,
	"verified_phone_numbers" text[] DEFAULT '{}'::text[] NOT NULL,
	"unverified_phone_numbers" text[] DEFAULT '{}'::text[] NOT NULL,
	"verified_email_addresses" text[] DEFAULT '{}'::text[] NOT NULL,
	"unverified_email_addresses" text[] DEFAULT '{}'::text[] NOT NULL,
	"public_metadata" jsonb,
	"unsafe_metadata" jsonb,
	"private_metadata" jsonb,
	"other" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orgkit_clerk_profiles_workos_user_id_unique" UNIQUE("workos_user_id"),
	CONSTRAINT "orgkit_clerk_profiles_clerk_user_id_unique" UNIQUE("clerk_user_id")
);
