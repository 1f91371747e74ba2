CREATE TABLE "orgkit_mirror_tombstones" (
	"kind" text NOT NULL,
	"workos_id" text NOT NULL,
	"deleted_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orgkit_mirror_tombstones_kind_workos_id_pk" PRIMARY KEY("kind","workos_id")
);
