"""Status pages: groups of components, each a service or a platform."""

from pydantic import Field, model_validator

from watchkeeper.catalog.types import Id, Model


class ComponentItem(Model):
    service: Id | None = None
    platform: Id | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> "ComponentItem":
        if (self.service is None) == (self.platform is None):
            raise ValueError("a component names either a service or a platform")
        return self


class ComponentGroup(Model):
    group: str
    items: list[ComponentItem] = Field(min_length=1)


class StatusPage(Model):
    id: Id
    title: str
    public: bool = False
    components: list[ComponentGroup] = Field(default_factory=list)
